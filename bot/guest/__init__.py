"""Being a good guest: the communities' rule cards, what counts as the team's own, and the reply check."""
