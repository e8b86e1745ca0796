"""A fake GitHub REST and GraphQL API: issue search with Link pages and rate-limit headers, comments, discussions.

Issues are search results we wrote in GitHub's shapes (tests/data/github), re-timed and renumbered as a test needs.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fixtures import data_path

_CREATED = re.compile(r"created:>=(\S+)")
_REPO = re.compile(r"repo:(\S+)")
JSON = {"Content-Type": "application/json; charset=utf-8"}


def search_items() -> list[dict[str, Any]]:
    """Issues and pull requests of a ``compile language:C++`` search in the older shape (null pull_request URLs)."""
    body = json.loads(data_path("github", "search_issues_2014.json").read_text(encoding="utf-8"))
    return list(body["items"])


def modern_issue() -> dict[str, Any]:
    """A search result in today's shape (repository_url, node_id, reactions)."""
    body = json.loads(data_path("github", "search_issues_2022.json").read_text(encoding="utf-8"))
    return dict(body["items"][0])


def issue(
    base: dict[str, Any], number: int, created: int, *, repo: str = "octo/widgets", **changes: Any
) -> dict[str, Any]:
    """``base`` moved to ``repo`` as issue ``number``, created at ``created``, with ``changes`` applied."""
    item = copy.deepcopy(base)
    kind = "pull" if is_pull(item) else "issues"
    item.update(
        {
            "number": number,
            "id": 10_000_000 + number,
            "url": f"https://api.github.com/repos/{repo}/issues/{number}",
            "repository_url": f"https://api.github.com/repos/{repo}",
            "html_url": f"https://github.com/{repo}/{kind}/{number}",
            "comments_url": f"https://api.github.com/repos/{repo}/issues/{number}/comments",
            "created_at": _iso(created),
            "updated_at": _iso(created),
        }
    )
    if kind == "pull":
        item["pull_request"]["html_url"] = f"https://github.com/{repo}/pull/{number}"
    item.update(changes)
    return item


def is_pull(item: dict[str, Any]) -> bool:
    """Whether a search result is a pull request: older answers carry pull_request with null URLs on issues."""
    return bool((item.get("pull_request") or {}).get("html_url"))


def comment(comment_id: int, repo: str, number: int, created: int, body: str, login: str = "helper") -> dict[str, Any]:
    """One issue comment, in the REST shape."""
    return {
        "url": f"https://api.github.com/repos/{repo}/issues/comments/{comment_id}",
        "html_url": f"https://github.com/{repo}/issues/{number}#issuecomment-{comment_id}",
        "issue_url": f"https://api.github.com/repos/{repo}/issues/{number}",
        "id": comment_id,
        "node_id": f"IC_{comment_id}",
        "user": {"login": login, "id": comment_id + 1, "type": "User", "site_admin": False},
        "created_at": _iso(created),
        "updated_at": _iso(created),
        "author_association": "NONE",
        "body": body,
        "reactions": {"total_count": 2, "+1": 2},
    }


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGitHub:
    """Serves /search/issues (created:>=, repo:, is:issue/is:pr, Link pages), issues, comments and GraphQL.

    ``remaining`` is the search quota left (sent as X-RateLimit-Remaining, reset at ``reset``); at 0 searches
    answer 403 as GitHub does.
    """

    def __init__(self, server: FakeHttpServer, *, remaining: int = 30, reset: int = 0) -> None:
        self.server = server
        self.issues: list[dict[str, Any]] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.discussions: list[dict[str, Any]] = []
        self.remaining = remaining
        self.reset = reset
        server.route("GET", "/search/issues", self._search)
        server.route("POST", "/graphql", self._graphql)

    @property
    def api_url(self) -> str:
        """What a feed's url (or GITHUB_API_URL) is set to."""
        return self.server.url("")

    def searches(self) -> list[Request]:
        """Search requests so far."""
        return self.server.hits("/search/issues")

    def add(self, *issues: dict[str, Any]) -> None:
        """Index issues and serve each one and its comments."""
        for item in issues:
            self.issues.append(item)
            path = item["url"].removeprefix("https://api.github.com")
            self.server.route("GET", path, lambda r, item=item: Reply(200, json.dumps(item), JSON))
            self.server.route("GET", f"{path}/comments", lambda r, path=path: self._comments(r, path))

    def delete(self, issue_item: dict[str, Any]) -> None:
        """Delete an issue: out of the search, 410 Gone on its page."""
        self.issues.remove(issue_item)
        path = issue_item["url"].removeprefix("https://api.github.com")
        gone = {"message": "This issue was deleted", "documentation_url": "https://docs.github.com/rest"}
        self.server.route("GET", path, lambda r: Reply(410, json.dumps(gone), JSON))

    def _headers(self) -> dict[str, str]:
        return {
            **JSON,
            "X-RateLimit-Limit": "30",
            "X-RateLimit-Remaining": str(max(0, self.remaining)),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Resource": "search",
        }

    def _search(self, request: Request) -> Reply:
        if self.remaining <= 0:
            body = {"message": "API rate limit exceeded for 127.0.0.1.", "documentation_url": "https://docs.github.com"}
            return Reply(403, json.dumps(body), self._headers())
        self.remaining -= 1
        q = request.param("q") or ""
        if request.param("sort") != "created" or ("is:issue" not in q and "is:pr" not in q):
            body = {
                "message": "Validation Failed",
                "errors": [{"message": "need is:issue or is:pr", "code": "invalid"}],
            }
            return Reply(422, json.dumps(body), self._headers())
        since = _CREATED.search(q)
        repo = _REPO.search(q)
        want_pr = "is:pr" in q
        words = [w for w in q.split() if ":" not in w]
        found = sorted(
            (
                i
                for i in self.issues
                if (since is None or i["created_at"] >= since.group(1))
                and (repo is None or i["repository_url"].endswith("/" + repo.group(1)))
                and is_pull(i) == want_pr
                and all(w.lower() in (i["title"] + (i["body"] or "")).lower() for w in words)
            ),
            key=lambda i: i["created_at"],
            reverse=True,
        )
        page, per_page = int(request.param("page", "1") or 1), int(request.param("per_page", "30") or 30)
        chunk = found[(page - 1) * per_page : page * per_page]
        headers = self._headers()
        if len(found) > page * per_page:
            query = f"q={quote(q)}&sort=created&order=desc&per_page={per_page}"
            last = -(-len(found) // per_page)
            headers["Link"] = (
                f'<{self.server.url("/search/issues")}?{query}&page={page + 1}>; rel="next", '
                f'<{self.server.url("/search/issues")}?{query}&page={last}>; rel="last"'
            )
        body = {"total_count": len(found), "incomplete_results": False, "items": chunk}
        return Reply(200, json.dumps(body), headers)

    def _comments(self, request: Request, path: str) -> Reply:
        per_page = int(request.param("per_page", "30") or 30)
        return Reply(200, json.dumps(self.comments.get(path, [])[:per_page]), self._headers())

    def _graphql(self, request: Request) -> Reply:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            body = {"message": "This endpoint requires you to be authenticated."}
            return Reply(401, json.dumps(body), JSON)
        payload = json.loads(request.body)
        variables = payload.get("variables") or {}
        if "search(" in payload["query"]:
            since = _CREATED.search(variables.get("q", ""))
            nodes = sorted(
                (d for d in self.discussions if since is None or d["createdAt"] >= since.group(1)),
                key=lambda d: d["createdAt"],
                reverse=True,
            )
            data = {"search": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": nodes}}
        else:
            found = [d for d in self.discussions if d["number"] == variables.get("number")]
            data = {"repository": {"discussion": found[0] if found else None}}
        return Reply(200, json.dumps({"data": data}), JSON)


def discussion(number: int, created: int, title: str, *, repo: str = "octo/widgets") -> dict[str, Any]:
    """One Discussion node, in the GraphQL shape the source asks for."""
    return {
        "id": f"D_kwDO{number}",
        "number": number,
        "title": title,
        "bodyText": f"{title}: what do you think?",
        "url": f"https://github.com/{repo}/discussions/{number}",
        "createdAt": _iso(created),
        "upvoteCount": 4,
        "author": {"login": "asker"},
        "comments": {
            "totalCount": 1,
            "nodes": [
                {
                    "id": f"DC_{number}",
                    "bodyText": "Sounds good.",
                    "url": f"https://github.com/{repo}/discussions/{number}#discussioncomment-1",
                    "createdAt": _iso(created + 60),
                    "upvoteCount": 1,
                    "author": None,
                }
            ],
        },
        "repository": {"nameWithOwner": repo},
        "category": {"name": "Ideas"},
    }
