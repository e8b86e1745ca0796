"""SlackChat: the Chat port (alerts, notices, digests) and the Runner's Listener (start, stop, follow-ups).

Socket Mode by default: Earshot connects out to Slack, so it needs no public address. HTTP mode serves
``POST /slack/events`` for Slack to call, with every request's signature checked by bolt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from earshot.adapters.chat.inflight import InFlight
from earshot.bot.actions.alert_card import alert_card
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.domain import Alert, Digest, Notice, Progress
from earshot.bot.followup.stats import Report, report_text
from earshot.bot.ports import Clock

from .app import Handlers, build_app
from .errors import delivery_error
from .members import Members
from .poster import SlackPoster, api_base, parse_ref
from .render import alert_blocks, digest_blocks, fallback_text, follow_up_blocks, notice_text, plain, plain_alert

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
STOP_WAIT = 10.0  # seconds stopping waits for the requests in hand


class _SocketHandler(AsyncSocketModeHandler):
    """bolt's Socket Mode handler, with each envelope tracked until acked; none taken once stopping."""

    def __init__(self, app: AsyncApp, app_token: str | None, client: AsyncWebClient, inflight: InFlight) -> None:
        super().__init__(app, app_token, web_client=client)
        self.inflight = inflight

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        if self.inflight.closing:
            return  # not acked: Slack sends the envelope again, to the next connection
        await self.inflight.track(super().handle)(client, req)


@dataclass(frozen=True)
class SlackConfig:
    """What SlackChat needs from the settings."""

    channel: str
    bot_token: str = field(repr=False)
    mode: str = "socket"
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    api_url: str | None = None
    host: str = "0.0.0.0"  # noqa: S104  # HTTP mode takes Slack's requests from outside
    port: int = 3000
    admins: tuple[str, ...] = ()
    timeout: int = 15


class SlackChat:
    """Posts alerts to Slack and listens for claims, outcomes and /earshot commands."""

    def __init__(self, config: SlackConfig, desk: ChatActions, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        base = api_base(config.api_url)
        # Posting alerts never retries by itself: a retried post could double a message (see poster.py).
        self.post_client = AsyncWebClient(
            token=config.bot_token, base_url=base, timeout=config.timeout, retry_handlers=[]
        )
        # Updates and ephemeral notes are safe to repeat, so they wait out a 429 in place.
        self.client = AsyncWebClient(
            token=config.bot_token,
            base_url=base,
            timeout=config.timeout,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
        )
        self.poster = SlackPoster(self.post_client, clock)
        self.handlers = Handlers(desk, self.client, Members(self.client, clock, config.admins), clock)
        self.inflight = InFlight()
        self.app = build_app(self.handlers, self.client, config.signing_secret or "", clock, self.inflight)
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self.address: tuple[str, int] | None = None  # where HTTP mode listens, once started

    # --- Chat -----------------------------------------------------------------------------------------------

    async def send_alert(self, alert: Alert) -> str:
        """Post one alert (or find the one an unclear earlier attempt posted); returns "<channel id>:<ts>"."""
        try:
            card = alert_card(alert)  # just delivered: nobody has done anything with it yet
            text, blocks = fallback_text(card), alert_blocks(card, self.clock())
        except Exception:  # its content broke a renderer: post it plainly rather than retry it for ever
            log.exception("slack: alert %d could not be drawn; posted plainly", alert.id)
            text, blocks = plain_alert(alert)
        return await self.poster.post(alert, alert.channel or self.config.channel, text, blocks)

    async def send_notice(self, notice: Notice) -> None:
        """Post an operational notice to the default channel."""
        channel = await self.poster.channel_id(self.config.channel)
        try:
            await self.client.chat_postMessage(channel=channel, text=notice_text(notice.level, notice.text))
        except Exception as exc:
            raise delivery_error(exc, f"#{self.config.channel.lstrip('#')} (a notice)") from exc

    async def send_digest(self, digest: Digest) -> str:
        """Post alerts the flood guard held back as one message; returns its reference."""
        channel = await self.poster.channel_id(digest.channel or self.config.channel)
        text, blocks = digest_blocks(digest.alerts, digest.since, self.clock())
        try:
            response = await self.post_client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except Exception as exc:
            raise delivery_error(exc, f"{channel} (a digest)") from exc
        return f"{channel}:{response['ts']}"

    async def send_report(self, report: Report, chart_png: bytes | None) -> str:
        """Post a report to the default channel, with its chart uploaded in the message's thread."""
        channel = await self.poster.channel_id(self.config.channel)
        text = f"{report.title}\n{report_text(report)}"
        blocks = [{"type": "section", "text": plain(text)}]
        try:
            response = await self.post_client.chat_postMessage(channel=channel, text=report.title, blocks=blocks)
        except Exception as exc:
            raise delivery_error(exc, f"#{self.config.channel.lstrip('#')} (a report)") from exc
        ts = str(response["ts"])
        if chart_png:
            try:
                await self.client.files_upload_v2(
                    channel=channel,
                    thread_ts=ts,
                    content=chart_png,
                    filename="earshot-report.png",
                    title=report.title,
                )
            except SlackApiError as exc:  # the numbers are posted; the chart is a nicety
                log.warning("slack: the report's chart was not uploaded: %s", exc.response.get("error"))
        return f"{channel}:{ts}"

    async def refresh(self, alert: Alert, progress: Progress) -> None:
        """Redraw the alert's message with what is stored about it now, ``progress`` included (it is stored
        before this is called): the same redraw a press or a reaction makes."""
        try:
            await self.handlers.refresh(alert.id)
        except SlackApiError as exc:
            log.warning("slack: alert %d not redrawn: %s", alert.id, exc.response.get("error"))

    # --- Listener -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect to Slack (Socket Mode) or start serving /slack/events (HTTP mode)."""
        if self.config.mode == "http":
            await self._serve_http()
            return
        self._socket = _SocketHandler(self.app, self.config.app_token, self.client, self.inflight)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("slack: connected in Socket Mode")

    async def _serve_http(self) -> None:
        async def events(request: web.Request) -> web.Response:
            if self.inflight.closing:
                return web.Response(status=503, text="stopping")  # Slack retries events elsewhere
            response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(response)

        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, events)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.address = (str(host), int(port))
        log.info("slack: listening for Slack's requests on http://%s:%d%s", host, port, EVENTS_PATH)

    async def stop(self) -> None:
        """Disconnect, or stop serving; requests in flight (and their acks) finish first."""
        await self.inflight.finish(STOP_WAIT)
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def follow_up(self, alert: Alert) -> None:
        """Ask the claimer, in the alert's thread, how it went."""
        where = parse_ref(alert.message_ref)
        if where is None or alert.claimed_by is None:
            return
        channel, ts = where
        text, blocks = follow_up_blocks(alert)
        try:
            await self.client.chat_postMessage(channel=channel, thread_ts=ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("slack: follow-up for alert %d not posted: %s", alert.id, exc.response.get("error"))
