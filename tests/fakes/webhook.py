"""A webhook receiver: records each JSON object it accepts; can fail or hold requests on demand."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request


@dataclass
class WebhookReceiver:
    """POST /hook. ``accepted`` holds payloads answered 200; ``script`` can answer otherwise per request."""

    server: FakeHttpServer
    path: str = "/hook"
    accepted: list[dict[str, Any]] = field(default_factory=list)
    received: list[Request] = field(default_factory=list)
    script: Callable[[Request, dict[str, Any]], Reply | None] | None = None
    arrived: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.server.route("POST", self.path, self._receive)

    @property
    def url(self) -> str:
        """The webhook URL."""
        return self.server.url(self.path)

    def _receive(self, request: Request) -> Reply:
        payload = json.loads(request.body)
        self.received.append(request)
        self.arrived.set()
        reply = self.script(request, payload) if self.script else None
        if reply is not None:
            return reply
        self.accepted.append(payload)
        return Reply(200, b'{"ok": true}', {"Content-Type": "application/json"})

    def alerts(self) -> list[dict[str, Any]]:
        """Accepted alert payloads (not notices)."""
        return [p for p in self.accepted if p.get("type") == "alert"]

    def digests(self) -> list[dict[str, Any]]:
        """Accepted flood-guard digest payloads."""
        return [p for p in self.accepted if p.get("type") == "digest"]
