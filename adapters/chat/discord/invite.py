"""The invite URL: exactly the permissions and scopes Earshot needs, nothing more."""

from __future__ import annotations

from urllib.parse import urlencode

import discord

from earshot.bot.errors import ConfigError

from .config import DiscordConfig

SCOPES = ("bot", "applications.commands")
AUTHORIZE_URL = "https://discord.com/oauth2/authorize"


def needed_permissions() -> discord.Permissions:
    """View the channel, post and edit its own alerts as embeds, read their history, add the claim reaction,
    and offer slash commands."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        read_message_history=True,
        add_reactions=True,
        use_application_commands=True,
    )


def invite_url(application_id: int | str, guild_id: int | str | None = None) -> str:
    """The OAuth2 URL that adds the bot to a server with exactly those permissions."""
    query = {
        "client_id": str(application_id),
        "permissions": str(needed_permissions().value),
        "scope": " ".join(SCOPES),
        "integration_type": "0",
    }
    if guild_id is not None:
        query |= {"guild_id": str(guild_id), "disable_guild_select": "true"}
    return f"{AUTHORIZE_URL}?{urlencode(query)}"


PERMISSION_LABELS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "add_reactions": "Add Reactions",
    "use_application_commands": "Use Application Commands",
}


def missing_in(granted: discord.Permissions) -> list[str]:
    """The needed permissions ``granted`` lacks, by the names Discord's settings show."""
    return [label for name, label in PERMISSION_LABELS.items() if not getattr(granted, name)]


async def application_id(config: DiscordConfig) -> int:
    """The bot's application id, asked of Discord with the token (which is never shown)."""
    from .chat import apply_addresses
    from .client import client_options, intents
    from .errors import token_or_error

    token = token_or_error(config)
    apply_addresses(config)
    client = discord.Client(intents=intents(), **client_options())
    try:
        await client.login(token)
        return (await client.application_info()).id
    except discord.LoginFailure:
        raise ConfigError(
            "Discord refused the token in DISCORD_TOKEN (401): reset it in the Developer Portal "
            "(your application → Bot → Reset Token), or pass --client-id"
        ) from None
    finally:
        await client.close()
