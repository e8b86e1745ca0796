"""After the claim: participation checks on the thread, stale claims released, the team's numbers and reports."""
