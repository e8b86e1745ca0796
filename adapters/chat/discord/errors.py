"""What Discord's refusals mean for delivery: a DeliveryError that says what to fix, kept or retried as fits."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from earshot.adapters.http import parse_retry_after
from earshot.bot.errors import ConfigError, DeliveryError

from .config import DiscordConfig

MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
UNKNOWN_CHANNEL = 10003
FIX_PERMISSIONS = (
    "give Earshot's role View Channel, Send Messages, Embed Links, Read Message History and Add Reactions there "
    "(`earshot doctor` shows what is missing)"
)


def token_or_error(config: DiscordConfig) -> str:
    """The bot token, or a ConfigError saying where to put it."""
    if not config.token:
        raise ConfigError(
            'chat.platform = "discord" needs the bot token in the DISCORD_TOKEN environment variable; '
            "copy it from the Developer Portal (your application → Bot → Reset Token) and export it"
        )
    return config.token


def unknown_channel(exc: discord.HTTPException) -> bool:
    """Whether Discord says the channel is gone."""
    return exc.code == UNKNOWN_CHANNEL or (exc.status == 404 and not exc.code)


def delivery_error(exc: discord.HTTPException, name: str) -> DeliveryError:
    """A refused post to channel ``name`` as a DeliveryError: permanent for the channel when it is gone or closed
    to Earshot, kept for later when the token was reset, retried when Discord is busy or failing."""
    where = f"#{name.lstrip('#')}"
    if exc.status == 401:
        # Not this message's fault: once the token is replaced every alert goes through, so keep them.
        return DeliveryError(
            "Discord rejected the bot token (401): it was reset; export the new DISCORD_TOKEN and restart",
            retry_after=300,
        )
    if unknown_channel(exc):
        return DeliveryError(
            f"Discord channel {where} no longer exists (10003 Unknown Channel): recreate it or point "
            "[chat] channel / the topic's channel elsewhere",
            permanent=True,
            channel=True,
        )
    if exc.code in (MISSING_ACCESS, MISSING_PERMISSIONS) or exc.status == 403:
        return DeliveryError(
            f"Earshot may not post in {where} ({exc.code} {exc.text or 'Forbidden'}): {FIX_PERMISSIONS}",
            permanent=True,
            channel=True,
        )
    if exc.status == 429:
        header = exc.response.headers.get("Retry-After") if exc.response is not None else None
        retry = parse_retry_after(header, datetime.now(UTC))
        return DeliveryError(f"Discord is rate limiting posts to {where}", retry_after=retry)
    if exc.status >= 500:
        return DeliveryError(f"Discord failed ({exc.status}) while posting to {where}; will retry")
    return DeliveryError(
        f"Discord refused the message for {where}: {exc.status} {exc.code} {exc.text}", permanent=exc.status < 500
    )
