"""What the Discord chat needs from outside: its settings as plain values and a leadership to hold the gateway by.

The composition root (``earshot.adapters.cli.app``) builds both from the settings and the database, so this
adapter imports neither the settings nor the storage (import-linter holds it to that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class DiscordConfig:
    """The bot token (None when DISCORD_TOKEN is unset), the server, and REST/gateway address overrides."""

    token: str | None = field(default=None, repr=False)
    guild: str | None = None
    api_base: str | None = None
    gateway_url: str | None = None


class Leadership(Protocol):
    """Become the one holder of a named role, notice losing it, and give it up."""

    async def acquire(self) -> None:
        """Wait until this process holds the role."""
        ...

    async def held(self) -> bool:
        """Whether this process still holds it (False once whatever backs it is gone)."""
        ...

    async def release(self) -> None:
        """Give the role up (idempotent)."""
        ...
