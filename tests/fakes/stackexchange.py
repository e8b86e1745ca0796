"""A fake Stack Exchange API (2.3): questions by creation, search, answers, gzip bodies, quota and backoff.

Questions are in the API's shape (filter=withbody): ours in tests/data/stackexchange, or built by ``question``.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fixtures import data_path

API = "/2.3"


def kubernetes_questions() -> list[dict[str, Any]]:
    """Questions tagged kubernetes as the API returns them, newest first (titles HTML-encoded, bodies HTML)."""
    body = json.loads(data_path("stackexchange", "questions_kubernetes.json").read_text(encoding="utf-8"))
    return list(body["items"])


def question(
    question_id: int,
    created: int,
    *,
    title: str = "How do I ask a question?",
    body: str = "<p>A question.</p>",
    tags: list[str] | None = None,
    author: str | None = "asker",
    link: str | None = None,
    answers: int = 0,
    score: int = 0,
) -> dict[str, Any]:
    """One question in the API's shape; ``author=None`` is a deleted account."""
    owner: dict[str, Any] = (
        {
            "account_id": question_id + 7,
            "reputation": 11,
            "user_id": question_id + 3,
            "user_type": "registered",
            "profile_image": "https://www.gravatar.com/avatar/x?s=256&d=identicon&r=PG",
            "display_name": author,
            "link": f"https://stackoverflow.com/users/{question_id + 3}/user",
        }
        if author is not None
        else {"user_type": "does_not_exist"}
    )
    return {
        "tags": tags or ["kubernetes"],
        "owner": owner,
        "is_answered": answers > 0,
        "view_count": 12,
        "answer_count": answers,
        "score": score,
        "last_activity_date": created,
        "creation_date": created,
        "question_id": question_id,
        "content_license": "CC BY-SA 4.0",
        "link": link or f"https://stackoverflow.com/questions/{question_id}/how-do-i-ask",
        "title": title,
        "body": body,
    }


def answer(answer_id: int, question_id: int, created: int, *, body: str, score: int = 0) -> dict[str, Any]:
    """One answer in the API's shape."""
    return {
        "owner": {"user_id": answer_id + 1, "user_type": "registered", "display_name": f"helper{answer_id}"},
        "is_accepted": False,
        "score": score,
        "last_activity_date": created,
        "creation_date": created,
        "answer_id": answer_id,
        "question_id": question_id,
        "content_license": "CC BY-SA 4.0",
        "body": body,
    }


class FakeStackExchange:
    """Serves /questions, /search/advanced, /questions/<id> and /questions/<id>/answers over an index.

    ``backoff`` adds the API's backoff field to the next answer; ``quota`` counts down per request.
    """

    def __init__(self, server: FakeHttpServer, *, quota: int = 300) -> None:
        self.server = server
        self.questions: list[dict[str, Any]] = []
        self.answers: dict[int, list[dict[str, Any]]] = {}
        self.quota = quota
        self.backoff: int | None = None
        server.route("GET", f"{API}/questions", self._listing)
        server.route("GET", f"{API}/search/advanced", self._listing)

    @property
    def api_url(self) -> str:
        """What a feed's url (or the source's api_url) is set to."""
        return self.server.url(API)

    def requests(self, path: str = "/questions") -> list[Request]:
        """Requests received for ``path`` under the API."""
        return self.server.hits(f"{API}{path}")

    def add(self, *questions: dict[str, Any]) -> None:
        """Index questions, and serve each one's page and answers."""
        for q in questions:
            self.questions.append(q)
            qid = q["question_id"]
            self.server.route("GET", f"{API}/questions/{qid}", lambda r, qid=qid: self._one(r, qid))
            self.server.route("GET", f"{API}/questions/{qid}/answers", lambda r, qid=qid: self._answers(r, qid))

    def delete(self, question_id: int) -> None:
        """Delete a question: gone from listings, its page answers an empty list (as the API does)."""
        self.questions = [q for q in self.questions if q["question_id"] != question_id]

    def _wrap(self, items: list[dict[str, Any]], has_more: bool) -> Reply:
        self.quota -= 1
        body: dict[str, Any] = {"items": items, "has_more": has_more, "quota_max": 300, "quota_remaining": self.quota}
        if self.backoff is not None:
            body["backoff"], self.backoff = self.backoff, None
        # The real API always compresses its answers.
        return Reply(
            200,
            gzip.compress(json.dumps(body).encode()),
            {"Content-Type": "application/json; charset=utf-8", "Content-Encoding": "gzip"},
        )

    def _listing(self, request: Request) -> Reply:
        if request.param("site") != "stackoverflow" or request.param("sort") != "creation":
            return _error(400, "bad_parameter", "site is required")
        page, size = int(request.param("page", "1") or 1), int(request.param("pagesize", "30") or 30)
        since = int(request.param("fromdate", "0") or 0)
        tagged = set(filter(None, (request.param("tagged") or "").split(";")))
        words = (request.param("q") or "").lower().split()
        found = sorted(
            (
                q
                for q in self.questions
                if q["creation_date"] >= since
                and tagged <= set(q["tags"])
                and all(w in (q["title"] + q["body"]).lower() for w in words)
            ),
            key=lambda q: -q["creation_date"],
        )
        chunk = found[(page - 1) * size : page * size]
        return self._wrap(chunk, len(found) > page * size)

    def _one(self, request: Request, question_id: int) -> Reply:
        return self._wrap([q for q in self.questions if q["question_id"] == question_id], False)

    def _answers(self, request: Request, question_id: int) -> Reply:
        found = sorted(self.answers.get(question_id, []), key=lambda a: -a["score"])
        size = int(request.param("pagesize", "30") or 30)
        return self._wrap(found[:size], len(found) > size)


def _error(status: int, name: str, message: str, error_id: int | None = None) -> Reply:
    body = {"error_id": error_id or status, "error_message": message, "error_name": name}
    return Reply(status, json.dumps(body), {"Content-Type": "application/json; charset=utf-8"})


def error_reply(status: int, name: str, message: str, error_id: int | None = None) -> Reply:
    """The API's error wrapper, as a reply."""
    return _error(status, name, message, error_id)
