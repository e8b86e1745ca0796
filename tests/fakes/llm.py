"""A fake OpenAI-compatible ``POST /v1/chat/completions``: answers as the API does, or slowly, or with an error."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request

PATH = "/v1/chat/completions"


def completion(content: str, model: str = "fake-model") -> dict[str, Any]:
    """A chat-completions response body in the API's shape, with one choice."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 30, "total_tokens": 130},
    }


@dataclass
class FakeLlm:
    """Serves chat completions. ``content`` is what the model says; ``status`` not 200 answers an API error;
    ``delay`` holds each answer that many seconds (the handler thread waits, until ``release``); ``answer``, when
    set, says the content for each request's JSON body instead of ``content``."""

    server: FakeHttpServer
    content: str = '{"question": "Which pooler?", "said": ["PgBouncer is common."]}'
    status: int = 200
    delay: float = 0.0
    released: threading.Event = field(default_factory=threading.Event)
    answer: Callable[[dict[str, Any]], str] | None = None
    error_message: str = "The server had an error"

    def __post_init__(self) -> None:
        self.server.route("POST", PATH, self._answer)

    @property
    def base_url(self) -> str:
        """What ``[summary] llm_base_url`` is set to."""
        return self.server.url("/v1")

    @property
    def requests(self) -> list[Request]:
        """Completion requests received."""
        return self.server.hits(PATH)

    def release(self) -> None:
        """Let held answers go (so a test can end without waiting out ``delay``)."""
        self.released.set()

    def _answer(self, request: Request) -> Reply:
        if self.delay:
            self.released.wait(self.delay)
        if self.status != 200:
            kind = "server_error" if self.status >= 500 else "invalid_request_error"
            error = {"error": {"message": self.error_message, "type": kind, "param": None, "code": None}}
            return Reply(self.status, json.dumps(error), {"Content-Type": "application/json"})
        body = json.loads(request.body)
        content = self.answer(body) if self.answer is not None else self.content
        return Reply(200, json.dumps(completion(content, body.get("model", ""))), {"Content-Type": "application/json"})
