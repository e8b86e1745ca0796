"""Product Hunt's GraphQL API v2: one POST per query with the developer token, and its complexity rate limit.

Product Hunt limits each token by query complexity (6250 points per 15 minutes at the time of writing) and says
where it stands in ``X-Rate-Limit-Limit``, ``X-Rate-Limit-Remaining`` and ``X-Rate-Limit-Reset`` (seconds until
the window resets). Past the limit it answers HTTP 429, or 200 with an ``errors`` entry ``rate_limit_reached``
whose ``details.reset_in`` says the wait.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from earshot.adapters.http import HttpResponse, SafeHttp
from earshot.adapters.sources.api import as_dict, as_int, as_list, as_str, check_status, parse_json
from earshot.bot.errors import FeedError

SERVICE = "Product Hunt"
TOKEN_ENV = "PRODUCTHUNT_TOKEN"  # noqa: S105 (the variable's name, not its value)
DEFAULT_API_URL = "https://api.producthunt.com/v2/api/graphql"
MAX_WAIT = 900.0  # the limit's window is 15 minutes: no reset is further away
AUTH_HINT = f"check {TOKEN_ENV} (a developer token from https://www.producthunt.com/v2/oauth/applications)"


@dataclass(frozen=True)
class Budget:
    """Where the token stands in its rate-limit window, as the last answer said (None: not said)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # seconds until the window resets

    @property
    def low(self) -> bool:
        """Whether so little is left that the next poll's queries could be refused: a tenth or less."""
        if self.remaining is None:
            return False
        floor = max(100, (self.limit or 0) // 10)
        return self.remaining <= floor

    def shown(self) -> str:
        """The budget in words, for logs and errors."""
        if self.remaining is None:
            return "the rate limit was not reported"
        of = f" of {self.limit}" if self.limit is not None else ""
        reset = f", reset in {self.reset:.0f} s" if self.reset is not None else ""
        return f"{self.remaining}{of} complexity points left{reset}"


def _number(value: str | None) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def budget(response: HttpResponse) -> Budget:
    """The rate-limit headers of an answer."""
    limit, remaining = (
        _number(response.headers.get("x-rate-limit-limit")),
        _number(response.headers.get("x-rate-limit-remaining")),
    )
    reset = _number(response.headers.get("x-rate-limit-reset"))
    return Budget(
        None if limit is None else int(limit),
        None if remaining is None else int(remaining),
        None if reset is None else min(max(1.0, reset), MAX_WAIT),
    )


def _limited(errors: list[dict[str, Any]], spent: Budget) -> FeedError | None:
    for error in errors:
        if as_str(error.get("error")) == "rate_limit_reached":
            reset = as_int(as_dict(error.get("details")).get("reset_in"))
            wait = min(max(1.0, float(reset)), MAX_WAIT) if reset is not None else (spent.reset or 60.0)
            return FeedError(
                f"{SERVICE} rate limit reached ({spent.shown()}); retrying in {wait:.0f} s", retry_after=wait
            )
    return None


async def query(
    http: SafeHttp, url: str, token: str, text: str, variables: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], Budget]:
    """POST one query; its ``data`` and the budget left. FeedError on a refusal, a rate limit or GraphQL errors."""
    response = await http.post(
        url,
        content=json.dumps({"query": text, "variables": variables}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"},
    )
    spent = budget(response)
    if response.status == 429:
        try:
            body = as_dict(parse_json(response, SERVICE))
        except FeedError:
            body = {}
        limited = _limited([as_dict(e) for e in as_list(body.get("errors"))], spent)
        if limited is not None:
            raise limited
    check_status(response, service=SERVICE, now=now, auth_hint=AUTH_HINT)
    body = as_dict(parse_json(response, SERVICE))
    errors = [as_dict(e) for e in as_list(body.get("errors"))]
    if errors:
        limited = _limited(errors, spent)
        if limited is not None:
            raise limited
        if any(as_str(e.get("error")) in ("invalid_oauth_token", "unauthorized") for e in errors):
            raise FeedError(f"{SERVICE} refused the token: {AUTH_HINT}")
        said = "; ".join(
            as_str(e.get("message")) or as_str(e.get("error_description")) or as_str(e.get("error")) for e in errors
        )
        raise FeedError(f"{SERVICE} refused the query: {said[:300]}")
    return as_dict(body.get("data")), spent
