"""The gateway client: buttons registered so they survive restarts, ``/earshot`` synced, raw reactions handled.

It asks only for the Guilds and Guild Message Reactions intents, neither privileged: interactions arrive without
any intent, and raw reaction events carry the member who reacted.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from earshot.adapters.chat.inflight import InFlight

from .actions import AlertActions
from .routes import route

if TYPE_CHECKING:
    from earshot.bot.actions.chat_actions import ChatActions

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Guilds (channels and roles, to check permissions) and Guild Message Reactions (✋ claims)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_reactions = True
    return wanted


def client_options(*, guild_ready_timeout: float = 2.0) -> dict[str, Any]:
    """Options both clients share: no mention ever parsed by default, and no waiting out long rate limits."""
    return {
        "allowed_mentions": discord.AllowedMentions.none(),
        # A longer wait than this raises RateLimited, which becomes a DeliveryError the outbox retries later,
        # instead of blocking the sender for minutes.
        "max_ratelimit_timeout": 30.0,
        "guild_ready_timeout": guild_ready_timeout,
    }


class EarshotClient(discord.Client):
    """The one connection to the gateway (the leader's)."""

    def __init__(
        self,
        desk: ChatActions,
        group: app_commands.Group,
        guild_id: int | None,
        *,
        guild_ready_timeout: float = 2.0,
        inflight: InFlight | None = None,
    ) -> None:
        super().__init__(intents=intents(), **client_options(guild_ready_timeout=guild_ready_timeout))
        self.actions = AlertActions(desk, self, inflight)
        self.tree = app_commands.CommandTree(self)
        self.group = group
        self.guild_id = guild_id
        self.ready = asyncio.Event()

    async def setup_hook(self) -> None:
        """Before the gateway: add the command group and sync the commands (presses are routed in on_interaction)."""
        guild = discord.Object(self.guild_id) if self.guild_id is not None else None
        self.tree.add_command(self.group, guild=guild)
        synced = await self.tree.sync(guild=guild)
        where = f"server {self.guild_id}" if guild is not None else "every server (global; may take an hour to show)"
        log.info("discord: %d slash command(s) synced to %s", len(synced), where)

    async def on_ready(self) -> None:
        """Connected and the servers are loaded."""
        log.info("discord: connected as %s to %d server(s)", self.user, len(self.guilds))
        self.ready.set()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Presses of Earshot's buttons and menus, and its forms sent (slash commands go to the tree)."""
        await route(self.actions, interaction)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """✋ claims."""
        await self.actions.reaction_added(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """Taking ✋ back releases."""
        await self.actions.reaction_removed(payload)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Log and carry on: one bad event must not stop the others."""
        log.exception("discord: error in %s", event_method)
