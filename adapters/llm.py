"""An optional context summariser on any OpenAI-compatible endpoint (``POST {base}/chat/completions``).

Off unless ``[summary] llm_base_url`` and ``model`` are set. Requests go through SafeHttp like any user URL, so
a private host needs ``[fetch] allow_private``. The API key comes from the environment and is sent only in the
Authorization header: it is never logged, and errors name the endpoint without it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from earshot.adapters.http import FetchError, SafeHttp, check_url, load_json
from earshot.bot.delivering.summary import QUESTION_LIMIT, SAID_LIMIT, shorten
from earshot.bot.domain import Conversation, Reply, Summary
from earshot.bot.errors import ConfigError, SummaryError
from earshot.bot.text import clean

PROMPT_CHARS = 6000  # of the item and its replies sent to the model: enough for the gist, bounded cost
MAX_SAID = 3
SYSTEM = (
    "You summarise an online discussion for someone deciding whether to join it. Answer with JSON only: "
    '{"question": "<the key question or point of the post, one or two neutral sentences>", '
    '"said": ["<what replies have said so far, one short neutral line each, at most 3>"]}. '
    "No opinions, no advice, no links, no names."
)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class LlmSummariser:
    """Asks a chat-completions endpoint for a summary; implements :class:`earshot.bot.ports.Summariser`."""

    def __init__(self, http: SafeHttp, base_url: str, model: str, api_key: str | None = None) -> None:
        try:
            check_url(base_url)
        except ValueError as exc:
            raise ConfigError(f"[summary] llm_base_url {base_url!r} {exc}") from None
        self._http = http
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._key = api_key

    def __repr__(self) -> str:  # never show the key
        return f"LlmSummariser(url={self._url!r}, model={self._model!r})"

    async def summarise(self, conversation: Conversation, replies: Sequence[Reply], draft: Summary) -> Summary:
        """The model's summary; SummaryError when the endpoint fails or answers with something unusable."""
        body = {
            "model": self._model,
            "temperature": 0,
            "max_tokens": 300,
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": prompt(conversation, replies)},
            ],
        }
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        try:
            response = await self._http.post(self._url, content=json.dumps(body).encode(), headers=headers)
            response.raise_for_status()
        except FetchError as exc:
            raise SummaryError(f"the summary endpoint failed: {exc}") from None
        return parse_answer(response.content)


def prompt(conversation: Conversation, replies: Sequence[Reply]) -> str:
    """The user message: title, text and replies, as plain text, cut to PROMPT_CHARS."""
    parts = [f"Title: {clean(conversation.title)}", f"Post: {clean(conversation.text)}", "Replies:"]
    parts += [f"- {clean(r.text)}" for r in replies]
    return "\n".join(parts)[:PROMPT_CHARS]


def parse_answer(content: bytes) -> Summary:
    """A Summary from a chat-completions answer, cleaned and shortened; SummaryError when it has none."""
    try:
        answer = load_json(content)
        text = answer["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SummaryError(f"the summary endpoint answered without a message ({type(exc).__name__})") from None
    if not isinstance(text, str) or not text.strip():
        raise SummaryError("the summary endpoint answered with an empty message")
    question, said = _fields(text)
    question = shorten(clean(question), QUESTION_LIMIT)
    if not question:
        raise SummaryError("the summary endpoint's answer has no question")
    lines = tuple(shorten(clean(s), SAID_LIMIT) for s in said if isinstance(s, str) and s.strip())
    return Summary(question=question, said=lines[:MAX_SAID], method="llm")


def _fields(text: str) -> tuple[str, list[Any]]:
    """The question and said lines of the model's text: its JSON, or else first line and the lines after."""
    stripped = _FENCE.sub("", text.strip())
    try:
        data = load_json(stripped)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("question"), str):
        said = data.get("said")
        return data["question"], said if isinstance(said, list) else []
    lines = [line.strip(" -*•\t") for line in stripped.splitlines() if line.strip(" -*•\t")]
    return (lines[0] if lines else ""), list(lines[1:])
