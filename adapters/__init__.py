"""The edges: feed sources, chat platforms, storage, scheduling, settings and the CLI."""
