"""Delivering alerts: the outbox, the context summary added before posting, the flood guard and its digests."""
