"""The Discord chat: alerts as embeds with buttons, claims by reaction or button, outcomes, slash commands."""
