"""DiscordChat: the Chat port (alerts, notices, digests over REST) and the Listener (the gateway, follow-ups).

Two discord.py clients share the token: a REST-only one that every replica uses to post, and the gateway one,
which only the leader runs (every connection with a token receives every event, so two would claim twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
import yarl

from earshot.adapters.chat.inflight import InFlight
from earshot.bot.domain import Alert, Digest, Notice, Progress
from earshot.bot.errors import ConfigError, DeliveryError
from earshot.bot.followup.stats import Report, report_text

from .card import NONE, first_card, parse_ref, redraw
from .client import EarshotClient, client_options, intents
from .commands import build_group
from .config import DiscordConfig, Leadership
from .errors import delivery_error, token_or_error, unknown_channel
from .render import CLAIM_EMOJI, cut, digest_embed, follow_up_text, neutralise, notice_text
from .views import outcome_view

log = logging.getLogger(__name__)

CHANNEL_REFRESH = 60.0  # seconds: look a channel name up again at most this often (renames, new channels)
LEADER_CHECK = 5.0  # seconds between checks that this process still leads
HISTORY_MARGIN = timedelta(minutes=5)  # how long before an alert was made its message may be (clocks differ)
HISTORY_LIMIT = 300  # messages looked through for an earlier attempt's
STOP_WAIT = 10.0  # seconds stopping waits for the presses, reactions and commands in hand

if TYPE_CHECKING:
    from earshot.bot.actions.chat_actions import ChatActions


def apply_addresses(config: DiscordConfig) -> None:
    """Point discord.py at other REST and gateway addresses (a local fake in tests) when the config says so."""
    if config.api_base:
        discord.http.Route.BASE = config.api_base.rstrip("/")
    if config.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


def nonce_for(alert: Alert) -> str:
    """The message nonce for an alert: Discord drops a second message with the same nonce for a few minutes."""
    return f"earshot-{alert.id}"[:25]


def carries(message: discord.Message, alert_id: int) -> bool:
    """Whether a message's buttons are an alert's (each custom_id ends with the alert's id)."""
    for row in message.components:
        for item in getattr(row, "children", ()):
            custom_id = getattr(item, "custom_id", None) or ""
            if custom_id.startswith("earshot:") and custom_id.rsplit(":", 1)[-1] == str(alert_id):
                return True
    return False


class DiscordChat:
    """Posts alerts as embeds with buttons, and (in the leader) listens for claims, outcomes and commands."""

    def __init__(
        self,
        config: DiscordConfig,
        channel: str,
        desk: ChatActions,
        kinds: Sequence[str],
        leadership: Leadership,
        *,
        guild_ready_timeout: float = 2.0,
        leader_check: float = LEADER_CHECK,
    ) -> None:
        self.config = config
        self.channel = channel
        self.desk = desk
        self.kinds = tuple(kinds)
        self.leadership = leadership
        self.guild_ready_timeout = guild_ready_timeout
        self.leader_check = leader_check
        self.rest: discord.Client | None = None
        self.gateway: EarshotClient | None = None
        self.guild_id: int | None = None
        self._channels: dict[str, int] = {}
        self._channels_at = 0.0
        self._task: asyncio.Task[None] | None = None
        self._opening = asyncio.Lock()
        self.connected = asyncio.Event()
        self.inflight = InFlight()  # the presses, reactions and commands being handled

    # Listener ----------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in over REST (a bad token stops the start here) and find the server; then hold the gateway as soon as
        this process leads. Returns without waiting for leadership: a follower replica keeps posting over REST."""
        await self.open()
        self._task = asyncio.create_task(self._lead(), name="discord-gateway")

    async def open(self) -> discord.Client:
        """Log in the REST client (checks the token) and resolve the server; no gateway connection."""
        async with self._opening:  # the sender and the follow-ups may both be first
            if self.rest is not None:
                return self.rest
            token = token_or_error(self.config)
            apply_addresses(self.config)
            rest = discord.Client(intents=intents(), **client_options())
            try:
                await rest.login(token)
                self.guild_id = await self._resolve_guild(rest)
            except discord.LoginFailure:
                await rest.close()
                raise ConfigError(
                    "Discord refused the token in DISCORD_TOKEN (401 Unauthorized): it was reset or mistyped; "
                    "copy a fresh one from the Developer Portal (your application → Bot → Reset Token)"
                ) from None
            except BaseException:
                await rest.close()
                raise
            self.rest = rest
            return rest

    async def _rest(self) -> discord.Client:
        """The REST client for sending; failing to log in is a delivery failure to retry later, never a crash."""
        try:
            return await self.open()
        except ConfigError as exc:
            raise DeliveryError(str(exc), retry_after=300) from exc
        except (TimeoutError, discord.HTTPException, OSError) as exc:
            raise DeliveryError(f"cannot reach Discord to log in: {exc}") from exc

    async def aclose(self) -> None:
        """Close everything (same as stop; for `earshot run --once`, which never starts listening)."""
        await self.stop()

    async def stop(self) -> None:
        """Finish the presses, reactions and commands in hand; leave the gateway, give up leadership, close the
        REST client."""
        await self.inflight.finish(STOP_WAIT)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close_gateway()
        await self.leadership.release()
        if self.rest is not None:
            await self.rest.close()
            self.rest = None

    async def follow_up(self, alert: Alert) -> None:
        """Ask the claimer how it went, as a reply to the alert, with the outcome buttons."""
        ref = parse_ref(alert.message_ref)
        if ref is None or alert.claimed_by is None:
            return
        rest = await self._rest()
        text = follow_up_text(alert)
        # The one mention Earshot makes on purpose: the claimer, by id. Nothing else in the text can ping.
        mentions = discord.AllowedMentions(everyone=False, roles=False, replied_user=False, users=[])
        if alert.claimed_by.isascii() and alert.claimed_by.isdigit():
            mentions.users = [discord.Object(int(alert.claimed_by))]
        channel = rest.get_partial_messageable(ref[0])
        reference = discord.MessageReference(message_id=ref[1], channel_id=ref[0], fail_if_not_exists=False)
        try:
            await channel.send(text, view=outcome_view(alert), reference=reference, allowed_mentions=mentions)
        except discord.HTTPException as exc:
            raise self._delivery_error(exc, str(ref[0])) from exc

    # Chat port ---------------------------------------------------------------------------------------------------

    async def send_alert(self, alert: Alert) -> str:
        """Post an alert; returns ``"<channel_id>:<message_id>"``."""
        rest = await self._rest()
        name = alert.channel or self.channel
        channel_id = await self._channel_id(name)
        channel = rest.get_partial_messageable(channel_id, guild_id=self.guild_id)
        try:
            # The nonce stops a repeat within minutes; after a longer break the channel itself is asked.
            earlier = await self._posted_before(channel, alert) if alert.retaken or alert.attempts else None
            if earlier is not None:
                found = (alert.id, earlier.id)
                log.info("alert %d: found the message an earlier attempt posted (%s); not posting again", *found)
                return f"{channel_id}:{earlier.id}"
            embed, view = first_card(alert)
            message = await channel.send(
                embed=embed,
                view=view,
                nonce=nonce_for(alert),
                allowed_mentions=NONE,
            )
        except discord.RateLimited as exc:
            raise DeliveryError(f"Discord is rate limiting posts to #{name}", retry_after=exc.retry_after) from exc
        except discord.HTTPException as exc:
            raise self._delivery_error(exc, name) from exc
        except (TimeoutError, OSError) as exc:
            raise DeliveryError(f"cannot reach Discord: {type(exc).__name__}: {exc}") from exc
        try:
            await message.add_reaction(CLAIM_EMOJI)  # a ready ✋ to click; the claim works without it too
        except (discord.HTTPException, TimeoutError, OSError) as exc:
            # Posted already: a missing ✋ must not make the outbox post it again.
            log.info("alert %d: could not add the %s reaction: %s", alert.id, CLAIM_EMOJI, exc)
        return f"{channel_id}:{message.id}"

    async def _posted_before(self, channel: discord.PartialMessageable, alert: Alert) -> discord.Message | None:
        """The message an earlier attempt whose answer never came posted for this alert (its buttons carry the
        alert's id), looked for among the channel's messages since shortly before the alert was made."""
        me = self.rest.user.id if self.rest is not None and self.rest.user is not None else None
        after = discord.Object(id=discord.utils.time_snowflake(alert.created_at - HISTORY_MARGIN))
        async for message in channel.history(limit=HISTORY_LIMIT, after=after, oldest_first=True):
            if message.author.id == me and message.reference is None and carries(message, alert.id):
                return message
        return None

    async def send_notice(self, notice: Notice) -> None:
        """Post an operational notice in the main channel."""
        await self._send_plain(self.channel, content=notice_text(notice.level, notice.text))

    async def send_digest(self, digest: Digest) -> str:
        """Post the alerts the flood guard held back, as one embed."""
        return await self._send_plain(digest.channel or self.channel, embed=digest_embed(digest))

    async def send_report(self, report: Report, chart_png: bytes | None) -> str:
        """Post a report in the main channel, its chart attached as a PNG."""
        rest = await self._rest()
        channel_id = await self._channel_id(self.channel)
        channel = rest.get_partial_messageable(channel_id, guild_id=self.guild_id)
        text = cut(f"**{neutralise(report.title)}**\n{neutralise(report_text(report))}", 2000)
        files = [discord.File(io.BytesIO(chart_png), filename="earshot-report.png")] if chart_png else []
        try:
            message = await channel.send(text, files=files, allowed_mentions=NONE)
        except discord.RateLimited as exc:
            raise DeliveryError(
                f"Discord is rate limiting posts to #{self.channel}", retry_after=exc.retry_after
            ) from exc
        except discord.HTTPException as exc:
            raise self._delivery_error(exc, self.channel) from exc
        return f"{channel_id}:{message.id}"

    async def refresh(self, alert: Alert, progress: Progress) -> None:
        """Redraw the alert's message with what is stored about it now, ``progress`` included (it is stored before
        this is called): the same redraw a press or a reaction makes."""
        if parse_ref(alert.message_ref) is None:
            return
        await redraw(self.desk, await self._rest(), alert.id)

    async def _send_plain(self, name: str, *, content: str | None = None, embed: discord.Embed | None = None) -> str:
        rest = await self._rest()
        channel_id = await self._channel_id(name)
        channel = rest.get_partial_messageable(channel_id, guild_id=self.guild_id)
        try:
            if embed is not None:
                message = await channel.send(content, embed=embed, allowed_mentions=NONE)
            else:
                message = await channel.send(content, allowed_mentions=NONE)
        except discord.RateLimited as exc:
            raise DeliveryError(f"Discord is rate limiting posts to #{name}", retry_after=exc.retry_after) from exc
        except discord.HTTPException as exc:
            raise self._delivery_error(exc, name) from exc
        return f"{channel_id}:{message.id}"

    # Channels and errors -----------------------------------------------------------------------------------------

    async def _resolve_guild(self, rest: discord.Client) -> int | None:
        wanted = self.config.guild
        if wanted and wanted.isdigit():
            return int(wanted)
        guilds = [g async for g in rest.fetch_guilds(limit=200)]
        if wanted:
            found = [g for g in guilds if g.name.casefold() == wanted.casefold()]
            if not found:
                names = ", ".join(g.name for g in guilds) or "none"
                raise ConfigError(
                    f"discord.guild = {wanted!r}: Earshot is not in a server of that name (it is in: {names}); "
                    "invite it with the URL `earshot discord invite` prints, or use the server's id"
                )
            return found[0].id
        if len(guilds) == 1:
            return guilds[0].id
        if not guilds:
            log.warning("discord: the bot is in no server yet; invite it with the URL `earshot discord invite` prints")
        return None

    async def _channel_id(self, name: str) -> int:
        """A channel given by id, ``#name`` or ``name``, looked up in the server's channels."""
        plain = name.strip().lstrip("#")
        if plain.isdigit():
            return int(plain)
        if plain not in self._channels and time.monotonic() - self._channels_at > CHANNEL_REFRESH:
            await self._load_channels()
        channel_id = self._channels.get(plain) or self._channels.get(plain.casefold())
        if channel_id is None:
            raise DeliveryError(
                f"Discord channel #{plain} is not in the server (or Earshot cannot see it): create it, give Earshot "
                "View Channel there, or change [chat] channel / the topic's channel",
                permanent=True,
                channel=True,
            )
        return channel_id

    async def _load_channels(self) -> None:
        rest = await self._rest()
        if self.guild_id is None:
            raise DeliveryError(
                "Earshot does not know which Discord server to post in: set [discord] guild to the server's id, "
                "or invite the bot to exactly one server",
                permanent=True,
            )
        try:
            guild = await rest.fetch_guild(self.guild_id)
            channels = await guild.fetch_channels()
        except (discord.NotFound, discord.Forbidden) as exc:
            raise DeliveryError(
                f"Discord server {self.guild_id} is unknown or the bot is not in it ({exc.status} {exc.text}): "
                "invite it with the URL `earshot discord invite` prints, or fix [discord] guild",
                permanent=True,
            ) from exc
        except (TimeoutError, discord.HTTPException, OSError) as exc:
            raise DeliveryError(f"cannot list the Discord server's channels: {exc}") from exc
        found: dict[str, int] = {}
        for channel in channels:
            if isinstance(channel, discord.TextChannel):
                found.setdefault(channel.name, channel.id)
                found.setdefault(channel.name.casefold(), channel.id)
        self._channels = found
        self._channels_at = time.monotonic()

    def _delivery_error(self, exc: discord.HTTPException, name: str) -> DeliveryError:
        if unknown_channel(exc):
            self._channels_at = 0.0  # look the name up afresh next time: it may have been recreated
        return delivery_error(exc, name)

    # Leadership and the gateway ----------------------------------------------------------------------------------

    async def _lead(self) -> None:
        """Hold the gateway while leading; on losing the lead, drop it and wait to lead again."""
        token = token_or_error(self.config)
        while True:
            await self.leadership.acquire()
            client = EarshotClient(
                self.desk,
                build_group(self.desk, self.kinds, self.inflight),
                self.guild_id,
                guild_ready_timeout=self.guild_ready_timeout,
                inflight=self.inflight,
            )
            self.gateway = client
            runner = asyncio.create_task(client.start(token, reconnect=True), name="discord-client")
            ready = asyncio.create_task(client.ready.wait())
            await asyncio.wait({runner, ready}, return_when=asyncio.FIRST_COMPLETED)
            if ready.done():
                self.connected.set()
            try:
                while not runner.done() and await self.leadership.held():
                    await asyncio.wait({runner}, timeout=self.leader_check)
            finally:
                ready.cancel()
                self.connected.clear()
            failed = runner.done() and runner.exception() is not None
            if failed:
                log.error("discord: the gateway connection ended: %s", runner.exception())
            else:
                log.warning("discord: lost leadership; leaving the gateway to the new leader")
            await self._close_gateway()
            await self.leadership.release()
            # After a failure (a bad token, Discord down) wait longer, so a replica may try and Discord is spared.
            await asyncio.sleep(self.leader_check * (12 if failed else 1))

    async def _close_gateway(self) -> None:
        client, self.gateway = self.gateway, None
        if client is not None and not client.is_closed():
            await client.close()


def token_fingerprint(token: str) -> str:
    """A short, non-reversible name for a token (for the leadership lock and logs; never the token)."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]
