"""`earshot doctor` for Discord: the token, the intents, the server, the commands and each channel's permissions,
each finding saying exactly what to fix. Only REST is used: the doctor never takes the gateway from a running bot.
The token is never shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import discord

from earshot.bot.errors import ConfigError

from .chat import apply_addresses
from .client import client_options, intents
from .config import DiscordConfig
from .errors import token_or_error
from .invite import invite_url, missing_in

OK = "ok"
WARNING = "warning"
ERROR = "error"


class Finding(NamedTuple):
    """One thing checked: ``level`` is ok, warning or error; ``text`` says what was found and what to do."""

    level: str
    text: str


async def check(config: DiscordConfig, channels: Iterable[str]) -> list[Finding]:
    """Check everything Earshot needs from Discord, for the channels alerts go to."""
    try:
        token = token_or_error(config)
    except ConfigError as exc:
        return [Finding(ERROR, str(exc))]
    apply_addresses(config)
    client = discord.Client(intents=intents(), **client_options())
    try:
        return await _check(client, token, config, list(dict.fromkeys(channels)))
    finally:
        await client.close()


async def _check(client: discord.Client, token: str, config: DiscordConfig, channels: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    try:
        await client.login(token)
    except discord.LoginFailure:
        return [
            Finding(
                ERROR,
                "Discord refused the token in DISCORD_TOKEN (401): reset it in the Developer Portal "
                "(your application → Bot → Reset Token) and export the new one",
            )
        ]
    except (discord.HTTPException, OSError) as exc:
        return [Finding(ERROR, f"cannot reach Discord to check the token: {exc}")]
    app = await client.application_info()
    assert client.user is not None
    findings.append(Finding(OK, f"token accepted: the bot is {client.user} (application {app.id})"))
    findings.append(
        Finding(
            OK,
            "intents: Earshot needs no privileged intent (it uses Guilds and Guild Message Reactions); leave "
            "Presence, Server Members and Message Content off",
        )
    )
    invite = invite_url(app.id)
    guild = await _guild(client, config.guild, invite, findings)
    if guild is None:
        return findings
    try:
        await client.http.get_guild_commands(app.id, guild.id)
        findings.append(Finding(OK, f"slash commands may be added in {guild.name} (applications.commands scope)"))
    except discord.Forbidden:
        findings.append(
            Finding(
                ERROR, f"the bot was invited without the applications.commands scope: invite it again with {invite}"
            )
        )
    member = await guild.fetch_member(client.user.id)
    found = {c.name: c for c in await guild.fetch_channels() if isinstance(c, discord.TextChannel)}
    by_id = {str(c.id): c for c in found.values()}
    for name in channels:
        plain = name.strip().lstrip("#")
        channel = by_id.get(plain) or found.get(plain)
        if channel is None:
            findings.append(
                Finding(
                    ERROR,
                    f"#{plain}: no such text channel in {guild.name} (or the bot cannot see it): create it, "
                    "or change [chat] channel / the topic's channel",
                )
            )
            continue
        missing = missing_in(channel.permissions_for(member))
        if missing:
            findings.append(
                Finding(
                    ERROR,
                    f"#{channel.name}: the bot lacks {', '.join(missing)}: in Discord, open #{channel.name} "
                    f"→ Edit Channel → Permissions, pick the bot's role ({member.top_role.name}) and allow "
                    "them, or invite it again with " + invite,
                )
            )
        else:
            findings.append(Finding(OK, f"#{channel.name}: the bot may post, embed, react and read history"))
    return findings


async def _guild(
    client: discord.Client, wanted: str | None, invite: str, findings: list[Finding]
) -> discord.Guild | None:
    guilds = [g async for g in client.fetch_guilds(limit=200)]
    if not guilds:
        findings.append(Finding(ERROR, f"the bot is in no server yet: invite it with {invite}"))
        return None
    if wanted:
        match = [g for g in guilds if str(g.id) == wanted or g.name.casefold() == wanted.casefold()]
        if not match:
            names = ", ".join(f"{g.name} ({g.id})" for g in guilds)
            findings.append(
                Finding(
                    ERROR,
                    f"discord.guild = {wanted!r}: the bot is not in that server (it is in: {names}); "
                    f"invite it with {invite}",
                )
            )
            return None
        chosen = match[0]
    elif len(guilds) > 1:
        names = ", ".join(f"{g.name} ({g.id})" for g in guilds)
        findings.append(Finding(ERROR, f"the bot is in several servers ({names}): set [discord] guild to one id"))
        return None
    else:
        chosen = guilds[0]
    guild = await client.fetch_guild(chosen.id)
    findings.append(Finding(OK, f"server: {guild.name} ({guild.id})"))
    return guild
