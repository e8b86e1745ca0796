"""Slack: alerts in Block Kit, claims by ✋ or button, outcomes, follow-ups and the /earshot command."""
