"""Finding conversations: polling feeds, matching items against topics, scoring how worth joining they are.

Also why an item was or was not alerted (``explain``), what a feed would bring (``preview``) and what the team's
feedback teaches the scoring (``feedback``).
"""
