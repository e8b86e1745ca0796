"""A local Discord: REST API and gateway in one aiohttp server, speaking the real protocol to the real discord.py.

Shapes follow Discord's API (see discord_shapes.py). REST answers carry ``Content-Type: application/json`` exactly
(discord.py reads ``; charset=utf-8`` as text). The gateway sends HELLO, answers heartbeats, and on IDENTIFY
dispatches READY then GUILD_CREATE; on RESUME it replays the events dispatched since the client's sequence.
Tests drive it with :meth:`FakeDiscord.react`, :meth:`FakeDiscord.press` and :meth:`FakeDiscord.slash`, and read
what the bot did in ``messages``, ``callbacks``, ``followups`` and ``requests``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_shapes import (
    ALICE,
    APP_ID,
    BOB,
    BOT_ID,
    CHANNELS,
    EVERYONE_PERMISSIONS,
    GUILD_ID,
    MOD,
    TOKEN,
    Person,
    application,
    bot_user,
    channels,
    guild,
    kinds,
    name_of,
    partial_guild,
    ready,
)
from tests.fakes.discord_shapes import message as message_payload

# How long a test waits for the bot to do something. It returns as soon as the thing is done, so the deadline only
# bounds a failure: generous, so a loaded machine (CI on 2 shared cores) is slow, not red.
WAIT = 60.0

DISCORD_EPOCH_MS = 1_420_070_400_000  # 2015-01-01, where snowflake time starts

__all__ = ["ALICE", "APP_ID", "BOB", "CHANNELS", "GUILD_ID", "MOD", "TOKEN", "Failure", "FakeDiscord", "Person"]


@dataclass
class Failure:
    """An error the next POSTs to a channel answer with."""

    status: int
    code: int
    message: str
    retry_after: float | None = None


@dataclass
class FakeDiscord:
    """The fake; ``start()`` it, point discord.py at ``api_base`` and ``gateway_url``, ``close()`` it."""

    bot_permissions: int = EVERYONE_PERMISSIONS
    channel_overwrites: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail_channel: dict[str, Failure] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)  # every POST body to a channel, in order
    edits: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reactions: list[tuple[str, str]] = field(default_factory=list)
    identifies: list[dict[str, Any]] = field(default_factory=list)
    resumes: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    token: str = TOKEN
    commands_scope: bool = True  # False: invited without applications.commands
    text_channels: dict[str, str] = field(default_factory=lambda: dict(CHANNELS))  # the server's channels: name -> id
    post_latency: float = 0.0  # seconds a message create takes to answer once the message exists
    # Discord drops a repeated nonce (with enforce_nonce) only "in the past few minutes"; None: for ever.
    nonce_window: float | None = None
    dm_channels: dict[str, str] = field(default_factory=dict)  # user id -> their DM channel's id, once opened
    closed_dms: set[str] = field(default_factory=set)  # user ids who allow no DMs from server members
    # Called with each new message as soon as it exists, before it is answered (a crash test kills the client there).
    on_created: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._last_id = 0
        self._created: dict[str, float] = {}  # message id -> when it was created (time.monotonic)
        self._seq = 0
        self._log: list[dict[str, Any]] = []
        self._ws: web.WebSocketResponse | None = None
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    def _snowflake(self) -> int:
        """A new id as Discord makes them: milliseconds since 2015 in the high bits, so ids sort by time."""
        now = ((time.time_ns() // 1_000_000) - DISCORD_EPOCH_MS) << 22
        self._last_id = max(now, self._last_id + 1)
        return self._last_id

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a free port."""
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        api = "/api/v10"
        app.router.add_get(api + "/users/@me", self._static(bot_user))
        app.router.add_get(api + "/oauth2/applications/@me", self._static(application))
        app.router.add_get(api + "/gateway", self._static(lambda: {"url": self.gateway_url}))
        app.router.add_get(api + "/gateway/bot", self._gateway_bot)
        app.router.add_get(api + "/users/@me/guilds", self._static(lambda: [partial_guild()]))
        app.router.add_get(api + "/guilds/{guild}", self._get_guild)
        app.router.add_get(api + "/guilds/{guild}/channels", self._get_channels)
        app.router.add_get(api + "/guilds/{guild}/members/{user}", self._get_member)
        app.router.add_post(api + "/users/@me/channels", self._open_dm)
        app.router.add_post(api + "/channels/{channel}/messages", self._post_message)
        app.router.add_get(api + "/channels/{channel}/messages", self._history)
        app.router.add_get(api + "/channels/{channel}/messages/{message}", self._get_message)
        app.router.add_patch(api + "/channels/{channel}/messages/{message}", self._edit_message)
        app.router.add_put(api + "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self._add_reaction)
        app.router.add_put(api + "/applications/{app}/commands", self._put_commands)
        app.router.add_put(api + "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        app.router.add_get(api + "/applications/{app}/guilds/{guild}/commands", self._get_commands)
        app.router.add_post(api + "/interactions/{id}/{token}/callback", self._callback)
        app.router.add_post(api + "/webhooks/{app}/{token}", self._followup)
        app.router.add_patch(api + "/webhooks/{app}/{token}/messages/{message}", self._followup)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        """Stop the server and drop the gateway connection."""
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """The REST base URL (discord.http.Route.BASE)."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway URL (DiscordWebSocket.DEFAULT_GATEWAY)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- what tests do ----------------------------------------------------------------------------------------

    async def wait_for(self, check: Callable[[], Any], timeout: float = WAIT) -> Any:
        """Wait until ``check()`` is truthy (it is re-checked whenever the bot calls the API); return its value."""

        async def until() -> Any:
            async with self._changed:
                while not (value := check()):
                    await self._changed.wait()
                return value

        return await asyncio.wait_for(until(), timeout)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event now, or keep it for the RESUME if no client is connected."""
        self._seq += 1
        payload = {"op": 0, "t": event, "s": self._seq, "d": data}
        self._log.append(payload)
        if self._ws is not None and not self._ws.closed:
            await self._ws.send_str(json.dumps(payload))

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket with a resumable code, as Discord does when it restarts a gateway node."""
        if self._ws is not None:
            ws, self._ws = self._ws, None
            await ws.close(code=code)

    async def react(self, person: Person, message_id: str, emoji: str = "\N{RAISED HAND}", *, add: bool = True) -> None:
        """Someone adds (or removes) a reaction to a message."""
        channel = self.messages[message_id]["channel_id"] if message_id in self.messages else CHANNELS["conversations"]
        data: dict[str, Any] = {
            "user_id": person.id,
            "message_id": message_id,
            "emoji": {"name": emoji, "id": None},
            "channel_id": channel,
            "guild_id": GUILD_ID,
            "burst": False,
            "type": 0,
        }
        if add:
            data |= {"member": person.member(), "message_author_id": BOT_ID}
        await self.dispatch("MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", data)

    async def press(
        self, person: Person, message_id: str, custom_id: str, *, seen: dict[str, Any] | None = None
    ) -> str:
        """Someone presses a button on a message (as it is now, or as they ``seen`` it); returns the interaction id."""
        message = seen if seen is not None else self.messages[message_id]
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(person, 3, data, message["channel_id"], message=message)

    async def choose(self, person: Person, message_id: str, custom_id: str, values: list[str]) -> str:
        """Someone picks ``values`` in a message's string select menu; returns the interaction id."""
        message = self.messages[message_id]
        data = {"custom_id": custom_id, "component_type": 3, "values": values}
        return await self._interact(person, 3, data, message["channel_id"], message=message)

    async def submit(self, person: Person, custom_id: str, values: dict[str, str], channel: str) -> str:
        """Someone submits a modal with text inputs ``values`` (custom_id -> text)."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]} for key, value in values.items()
        ]
        return await self._interact(person, 5, {"custom_id": custom_id, "components": rows}, channel)

    async def slash(
        self, person: Person, path: list[str], options: dict[str, Any] | None = None, *, autocomplete: str = ""
    ) -> str:
        """Someone runs ``/earshot <path...>`` with options (or types into option ``autocomplete``)."""
        registered = self.commands_by_name()[path[0]]
        leaf: list[dict[str, Any]] = [
            {"name": k, "type": 5 if isinstance(v, bool) else 4 if isinstance(v, int) else 3, "value": v}
            | ({"focused": True} if k == autocomplete else {})
            for k, v in (options or {}).items()
        ]
        for name, kind in reversed(list(zip(path[1:], kinds(path[1:]), strict=True))):
            leaf = [{"name": name, "type": kind, "options": leaf}]
        data = {"id": registered["id"], "name": path[0], "type": 1, "options": leaf, "guild_id": GUILD_ID}
        return await self._interact(person, 4 if autocomplete else 2, data, CHANNELS["conversations"])

    def commands_by_name(self) -> dict[str, dict[str, Any]]:
        """The application commands registered (guild ones first)."""
        found: dict[str, dict[str, Any]] = {}
        for registered in self.commands.values():
            for command in registered:
                found.setdefault(command["name"], command)
        return found

    def callback_for(self, interaction_id: str) -> dict[str, Any] | None:
        """The bot's answer to an interaction, if it answered."""
        return next((c for c in self.callbacks if c["interaction_id"] == interaction_id), None)

    def followups_for(self, interaction_id: str) -> list[dict[str, Any]]:
        """Follow-up messages sent with that interaction's token."""
        return [f for f in self.followups if f["token"] == f"token-{interaction_id}"]

    # -- REST ---------------------------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        # Interaction callbacks and follow-ups are authorised by the interaction token in the path, not the bot's.
        by_token = request.path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/"))
        if (
            request.path.startswith("/api/")
            and not by_token
            and request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            return self._json({"message": "401: Unauthorized", "code": 0}, status=401)
        response = await handler(request)
        await self._notify()
        return response

    def _static(self, body: Callable[[], Any]) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            return self._json(body())

        return handler

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _json(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(
            body=json.dumps(body).encode(),
            status=status,
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_guild(self, request: web.Request) -> web.Response:
        if request.match_info["guild"] != GUILD_ID:
            return self._json({"message": "Unknown Guild", "code": 10004}, 404)
        found = guild(self.channel_overwrites, self.bot_permissions, self.text_channels)
        for key in ("channels", "members", "threads", "voice_states", "presences", "joined_at", "large"):
            found.pop(key)  # GET /guilds/{id} leaves out what only GUILD_CREATE carries
        return self._json(found)

    async def _get_channels(self, request: web.Request) -> web.Response:
        if request.match_info["guild"] != GUILD_ID:
            return self._json({"message": "Unknown Guild", "code": 10004}, 404)
        return self._json(channels(self.channel_overwrites, self.text_channels))

    async def _get_member(self, request: web.Request) -> web.Response:
        people = {p.id: p for p in (ALICE, BOB, MOD, Person(BOT_ID, "Earshot"))}
        person = people.get(request.match_info["user"])
        if person is None:
            return self._json({"message": "Unknown Member", "code": 10007}, 404)
        return self._json(person.member())

    async def _open_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels: the DM channel with ``recipient_id`` (the same one each time)."""
        user = str((await request.json())["recipient_id"])
        channel = self.dm_channels.setdefault(user, str(self._snowflake()))
        recipient = {"id": user, "username": user, "discriminator": "0", "global_name": None, "avatar": None}
        return self._json({"id": channel, "type": 1, "last_message_id": None, "flags": 0, "recipients": [recipient]})

    def dms_to(self, user: str) -> list[dict[str, Any]]:
        """The messages posted to a user's DM channel, in order."""
        channel = self.dm_channels.get(user)
        return [post for post in self.posts if channel is not None and post["channel_id"] == channel]

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        if request.content_type.startswith("multipart/"):
            # Messages with files come as multipart: the JSON in payload_json, each file a part of its own.
            body, uploaded = {}, {}
            async for part in await request.multipart():
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                elif part.filename:
                    uploaded[part.filename] = await part.read()
            body["uploaded"] = uploaded
        else:
            body = await request.json()
        self.posts.append(body | {"channel_id": channel})
        failure = self.fail_channel.get(channel)
        dm_to = next((user for user, dm in self.dm_channels.items() if dm == channel), None)
        if dm_to in self.closed_dms:
            failure = Failure(403, 50007, "Cannot send messages to this user")
        elif dm_to is None and channel not in self.text_channels.values():
            failure = Failure(404, 10003, "Unknown Channel")
        if failure is not None:
            error = {"message": failure.message, "code": failure.code}
            if failure.status == 429:
                error |= {"retry_after": failure.retry_after, "global": False}
                return self._json(error, 429, {"Retry-After": str(failure.retry_after), "X-RateLimit-Scope": "user"})
            return self._json(error, failure.status)
        nonce = body.get("nonce")
        existing = None
        if nonce and body.get("enforce_nonce"):
            existing = next(
                (
                    m
                    for m in self.messages.values()
                    if m["channel_id"] == channel
                    and m.get("nonce") == nonce
                    and (self.nonce_window is None or time.monotonic() - self._created[m["id"]] < self.nonce_window)
                ),
                None,
            )
        message = existing or message_payload(str(self._snowflake()), channel, body)
        self.messages[message["id"]] = message
        self._created.setdefault(message["id"], time.monotonic())
        if existing is None:
            for hook in self.on_created:
                hook(message)
        if self.post_latency:
            await asyncio.sleep(self.post_latency)  # the message exists; a client killed now never hears of it
        return self._json(message)

    async def _history(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages: newest first, ``limit`` at most 100, narrowed by ``after`` or ``before``."""
        channel = request.match_info["channel"]
        limit = min(int(request.query.get("limit", "50")), 100)
        after, before = int(request.query.get("after", "0")), int(request.query.get("before", str(1 << 63)))
        found = sorted(
            (m for m in self.messages.values() if m["channel_id"] == channel and after < int(m["id"]) < before),
            key=lambda m: int(m["id"]),
        )
        page = found[:limit] if "after" in request.query else found[-limit:]
        return self._json(list(reversed(page)))

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(request.match_info["message"])
        if message is None:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        return self._json(message)

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(request.match_info["message"])
        if message is None:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        body = await request.json()
        self.edits.append(body | {"id": message["id"]})
        message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        return self._json(message)

    async def _add_reaction(self, request: web.Request) -> web.Response:
        self.reactions.append((request.match_info["message"], request.match_info["emoji"]))
        return web.Response(status=204)

    async def _put_commands(self, request: web.Request) -> web.Response:
        body = await request.json()
        scope = request.match_info.get("guild", "global")
        registered = [
            command | {"id": str(self._snowflake()), "application_id": APP_ID, "version": "1"} for command in body
        ]
        self.commands[scope] = registered
        return self._json(registered)

    async def _get_commands(self, request: web.Request) -> web.Response:
        if not self.commands_scope:
            return self._json({"message": "Missing Access", "code": 50001}, 403)
        return self._json(self.commands.get(request.match_info["guild"], []))

    async def _callback(self, request: web.Request) -> web.Response:
        body = await request.json()
        interaction_id = request.match_info["id"]
        self.callbacks.append(body | {"interaction_id": interaction_id})
        data = body.get("data") or {}
        if body["type"] == 7 and (message := self._interaction_messages.get(interaction_id)) is not None:
            message.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
        reply = {
            "interaction": {
                "id": interaction_id,
                "type": 3,
                "response_message_loading": body["type"] == 5,
                "response_message_ephemeral": bool((data.get("flags") or 0) & 64),
            }
        }
        return self._json(reply)

    async def _followup(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.followups.append(body | {"token": request.match_info["token"], "method": request.method})
        return self._json(message_payload(str(self._snowflake()), CHANNELS["conversations"], body))

    # -- gateway ------------------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            op = payload["op"]
            await self._notify()
            if op == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                self.identifies.append(payload["d"])
                await self.dispatch("READY", ready(self.gateway_url))
                joined = guild(self.channel_overwrites, self.bot_permissions, self.text_channels)
                await self.dispatch("GUILD_CREATE", joined)
            elif op == 6:
                self.resumes.append(payload["d"])
                for missed in [p for p in self._log if p["s"] > (payload["d"]["seq"] or 0)]:
                    await ws.send_str(json.dumps(missed))
                await self.dispatch("RESUMED", {})
        if self._ws is ws:
            self._ws = None
        return ws

    # -- interactions -------------------------------------------------------------------------------------------

    @property
    def _interaction_messages(self) -> dict[str, dict[str, Any]]:
        return self.__dict__.setdefault("_imsg", {})

    async def _interact(
        self, person: Person, kind: int, data: dict[str, Any], channel: str, *, message: dict[str, Any] | None = None
    ) -> str:
        interaction_id = str(self._snowflake())
        payload: dict[str, Any] = {
            "version": 1,
            "type": kind,
            "token": f"token-{interaction_id}",
            "id": interaction_id,
            "application_id": APP_ID,
            "guild_id": GUILD_ID,
            "channel_id": channel,
            "channel": {"id": channel, "type": 0, "guild_id": GUILD_ID, "name": name_of(channel)},
            "member": person.member() | {"permissions": str(person.permissions)},
            "data": data,
            "app_permissions": str(self.bot_permissions),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID},
            "context": 0,
            "attachment_size_limit": 10485760,
        }
        if message is not None:
            payload["message"] = message
            self._interaction_messages[interaction_id] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id
