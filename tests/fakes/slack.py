"""A fake Slack on 127.0.0.1: the Web API methods Earshot calls, response URLs, and a Socket Mode websocket.

The real slack_sdk / slack-bolt code talks to it over HTTP and WebSocket. It keeps channels, their messages
(with metadata, returned only when asked, as Slack does), users, and every call, and can be told to fail a
method in the ways Slack does: an error body, a 429 with Retry-After, or a 5xx after the message was stored
(an unknown result). Payload builders (re-exported here) are in slack_payloads.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.slack_payloads import (
    BOT_USER,
    SIGNING_SECRET,
    block_action,
    form_body,
    reaction_event,
    select_action,
    signature,
    signed,
    slash_command,
    view_submission,
)

# How long a test waits for the bot to do something. It returns as soon as the thing is done, so the deadline only
# bounds a failure: generous, so a loaded machine (CI on 2 shared cores) is slow, not red.
WAIT = 60.0

BOT_TOKEN = "xoxb-1111-2222-fakebottoken"
APP_TOKEN = "xapp-1-A111-3333-fakeapptoken"
SCOPES = "chat:write,reactions:read,channels:history,groups:history,channels:read,groups:read,commands,users:read"


@dataclass
class Call:
    """One Web API call as the fake received it."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class Failure:
    """How the next calls of a method fail: ``status``/``error``/``headers``; ``after=True`` does the work first."""

    status: int = 200
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    after: bool = False
    body: str | None = None
    delay: float = 0.0  # seconds to hold the answer (longer than the client's timeout: the answer is lost)


@dataclass
class Channel:
    """A conversation and its messages (oldest first)."""

    id: str
    name: str
    is_member: bool = True
    is_archived: bool = False
    is_private: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)


class FakeSlack:
    """Run with ``async with FakeSlack() as slack:``; ``api_url`` is the Web API base to give slack_sdk."""

    def __init__(self, *, scopes: str = SCOPES, epoch: int | None = None, post_latency: float = 0.0) -> None:
        self.scopes = scopes
        self.post_latency = post_latency  # seconds chat.postMessage takes to answer once the message is stored
        # Called with each new message as soon as it is stored, before it is answered (a crash test kills there).
        self.on_created: list[Callable[[dict[str, Any]], None]] = []
        self.epoch = int(time.time()) if epoch is None else epoch  # message ts are "<epoch>.<n>", like Slack's
        self.channels: dict[str, Channel] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []  # bodies posted to response URLs
        self.acks: dict[str, dict[str, Any]] = {}  # Socket Mode acks by envelope id
        self.failures: dict[str, list[Failure]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # uploaded files by id: name, length, content, title
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for socket in list(self._sockets):
            await socket.close()
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """The Web API base URL (with the trailing slash slack_sdk expects)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url the fake answers."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # --- state -----------------------------------------------------------------------------------------------

    def add_channel(self, id: str, name: str, **flags: Any) -> Channel:
        """A channel the workspace has."""
        self.channels[id] = Channel(id, name, **flags)
        return self.channels[id]

    def add_user(self, id: str, name: str, *, is_admin: bool = False, is_owner: bool = False) -> None:
        """A workspace member."""
        self.users[id] = {
            "id": id,
            "team_id": "T111",
            "name": name,
            "real_name": name.title(),
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name.title()},
        }

    def fail(self, method: str, *failures: Failure) -> None:
        """Make the next calls of ``method`` fail, one failure per call."""
        self.failures.setdefault(method, []).extend(failures)

    def called(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        return [call for call in self.calls if call.method == method]

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """A stored message."""
        return next(m for m in self.channels[channel].messages if m["ts"] == ts)

    async def wait_for(self, check: Callable[[], Any], timeout: float = WAIT) -> Any:
        """Wait until ``check()`` is truthy (bolt finishes work after acking) and return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("the fake Slack never saw what the test waited for")
            await asyncio.sleep(0.01)

    # --- Web API ---------------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update({k: v for k, v in (await request.post()).items()})
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        self.calls.append(Call(method, args, token))
        want = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != want:
            return _json({"ok": False, "error": "not_authed" if not token else "invalid_auth"})
        queued = self.failures.get(method)
        failure = queued.pop(0) if queued else None
        if failure is not None and not failure.after:
            return _failed(failure)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return _json({"ok": False, "error": "unknown_method"})
        response: web.Response = handler(args)
        if method == "chat.postMessage" and self.post_latency:
            await asyncio.sleep(self.post_latency)  # the message is stored; a client killed now never hears of it
        if failure is not None and failure.delay:
            await asyncio.sleep(failure.delay)
            return response
        return _failed(failure) if failure is not None else response

    def _auth_test(self, args: dict[str, Any]) -> web.Response:
        body = {
            "ok": True,
            "url": "https://earshot-test.slack.com/",
            "team": "Earshot Test",
            "user": "earshot",
            "team_id": "T111",
            "user_id": BOT_USER,
            "bot_id": "BBOT0001",
            "is_enterprise_install": False,
        }
        return _json(body, {"x-oauth-scopes": self.scopes})

    def _apps_connections_open(self, args: dict[str, Any]) -> web.Response:
        return _json({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})

    def _channel(self, args: dict[str, Any]) -> Channel | web.Response:
        wanted = str(args.get("channel", ""))
        if wanted in self.users and wanted not in self.channels:  # a user id: the app's direct message with them
            self.add_channel("D" + wanted[1:], wanted, is_private=True)
            wanted = "D" + wanted[1:]
        channel = self.channels.get(wanted)
        if channel is None:
            return _json({"ok": False, "error": "channel_not_found"})
        return channel

    def _chat_postMessage(self, args: dict[str, Any]) -> web.Response:
        channel = self._channel(args)
        if isinstance(channel, web.Response):
            return channel
        if channel.is_archived:
            return _json({"ok": False, "error": "is_archived"})
        if not channel.is_member:
            return _json({"ok": False, "error": "not_in_channel"})
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": "BBOT0001",
            "text": args.get("text", ""),
            "blocks": _decode(args.get("blocks")) or [],
            "ts": f"{self.epoch}.{next(self._ts):06d}",
            "team": "T111",
        }
        metadata = _decode(args.get("metadata"))
        if metadata:
            message["metadata"] = metadata
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        channel.messages.append(message)
        for hook in self.on_created:
            hook(message)
        visible = {k: v for k, v in message.items() if k != "metadata"}
        return _json({"ok": True, "channel": channel.id, "ts": message["ts"], "message": visible})

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> web.Response:  # Slack's name
        file_id = f"F{next(self._ts):08d}"
        self.files[file_id] = {"id": file_id, "name": args.get("filename"), "length": int(args.get("length", 0))}
        return _json({"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id})

    async def _upload(self, request: web.Request) -> web.Response:
        file = self.files.get(request.match_info["file_id"])
        if file is None:
            return web.Response(status=404)
        body = await request.read()
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = next(iter(form.values()))
            body = part.file.read() if hasattr(part, "file") else str(part).encode()
        file["content"] = body
        return web.Response(text="OK - " + str(len(body)))

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> web.Response:  # Slack's name
        channel = self.channels.get(str(args.get("channel_id", "")))
        if channel is None:
            return _json({"ok": False, "error": "channel_not_found"})
        files = [dict(self.files[f["id"]], title=f.get("title")) for f in _decode(args.get("files")) or []]
        message = {
            "type": "message",
            "subtype": "file_share",
            "files": files,
            "ts": f"{self.epoch}.{next(self._ts):06d}",
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        channel.messages.append(message)
        return _json({"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]})

    def _chat_update(self, args: dict[str, Any]) -> web.Response:
        channel = self._channel(args)
        if isinstance(channel, web.Response):
            return channel
        for message in channel.messages:
            if message["ts"] == args.get("ts"):
                message["text"] = args.get("text", message["text"])
                message["blocks"] = _decode(args.get("blocks")) or message["blocks"]
                message["edited"] = {"user": BOT_USER, "ts": f"{self.epoch + 1}.{next(self._ts):06d}"}
                return _json({"ok": True, "channel": channel.id, "ts": message["ts"], "text": message["text"]})
        return _json({"ok": False, "error": "message_not_found"})

    def _chat_postEphemeral(self, args: dict[str, Any]) -> web.Response:
        channel = self._channel(args)
        if isinstance(channel, web.Response):
            return channel
        return _json({"ok": True, "message_ts": f"{self.epoch + 2}.{next(self._ts):06d}"})

    def _conversations_history(self, args: dict[str, Any]) -> web.Response:
        channel = self._channel(args)
        if isinstance(channel, web.Response):
            return channel
        if not channel.is_member:
            return _json({"ok": False, "error": "not_in_channel"})
        oldest = float(args.get("oldest") or 0)
        limit = int(args.get("limit") or 100)
        start = int(args.get("cursor") or 0)
        with_metadata = _flag(args.get("include_all_metadata"))
        newest_first = [m for m in reversed(channel.messages) if float(m["ts"]) > oldest]
        page = newest_first[start : start + limit]
        shown = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(newest_first)
        return _json(
            {
                "ok": True,
                "messages": shown,
                "has_more": more,
                "pin_count": 0,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""},
            }
        )

    def _conversations_list(self, args: dict[str, Any]) -> web.Response:
        limit = int(args.get("limit") or 100)
        start = int(args.get("cursor") or 0)
        skip_archived = _flag(args.get("exclude_archived"))
        wanted = [c for c in self.channels.values() if not (c.is_archived and skip_archived)]
        page = wanted[start : start + limit]
        more = start + limit < len(wanted)
        return _json(
            {
                "ok": True,
                "channels": [_channel_json(c) for c in page],
                "response_metadata": {"next_cursor": str(start + limit) if more else ""},
            }
        )

    def _conversations_info(self, args: dict[str, Any]) -> web.Response:
        channel = self._channel(args)
        if isinstance(channel, web.Response):
            return channel
        return _json({"ok": True, "channel": _channel_json(channel)})

    def _users_info(self, args: dict[str, Any]) -> web.Response:
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            return _json({"ok": False, "error": "user_not_found"})
        return _json({"ok": True, "user": user})

    def _views_open(self, args: dict[str, Any]) -> web.Response:
        view = _decode(args.get("view")) or {}
        return _json({"ok": True, "view": {"id": f"V{next(self._ids):08d}", **view}})

    async def _response(self, request: web.Request) -> web.Response:
        self.responses.append({"name": request.match_info["name"], **(await request.json())})
        return web.Response(text="ok")

    # --- Socket Mode -----------------------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        hello = {
            "type": "hello",
            "num_connections": len(self._sockets),
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A111"},
        }
        await socket.send_str(json.dumps(hello))
        self._connected.set()
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                data = json.loads(frame.data)
                if "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data
        self._sockets.remove(socket)
        return socket

    async def connected(self) -> None:
        """Wait for a Socket Mode client to connect."""
        await asyncio.wait_for(self._connected.wait(), WAIT)

    async def send_envelope(self, kind: str, payload: dict[str, Any], *, retry: int = 0) -> str:
        """Send a Socket Mode envelope ("events_api", "interactive", "slash_commands"); returns its id."""
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry,
            "retry_reason": "timeout" if retry else "",
        }
        await self._sockets[-1].send_str(json.dumps(envelope))
        return envelope_id


def _json(body: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=json.dumps(body), content_type="application/json", headers=headers or {})


def _failed(failure: Failure) -> web.Response:
    if failure.body is not None:
        return web.Response(status=failure.status, text=failure.body, headers=failure.headers)
    return web.Response(
        status=failure.status,
        text=json.dumps({"ok": False, "error": failure.error or "internal_error"}),
        content_type="application/json",
        headers=failure.headers,
    )


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _decode(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _channel_json(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not channel.is_private,
        "is_group": False,
        "is_private": channel.is_private,
        "is_archived": channel.is_archived,
        "is_member": channel.is_member,
        "created": 1449252889,
    }


__all__ = [
    "APP_TOKEN",
    "BOT_TOKEN",
    "BOT_USER",
    "SCOPES",
    "SIGNING_SECRET",
    "Call",
    "Channel",
    "Failure",
    "FakeSlack",
    "block_action",
    "form_body",
    "reaction_event",
    "select_action",
    "signature",
    "signed",
    "slash_command",
    "view_submission",
]
