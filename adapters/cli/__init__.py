"""The `earshot` command line: the composition root."""
