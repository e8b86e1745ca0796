"""A subreddit's own rules, from Reddit's rules endpoint, as rule cards; cached, and never in the way of a check.

With REDDIT_CLIENT_ID/SECRET set it asks the OAuth API (``/r/NAME/about/rules``), as the Reddit source does;
without, the public ``www.reddit.com/r/NAME/about/rules.json``. A failing or slow endpoint gives no cards and a
note, so the check goes on with Reddit's site-wide cards.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.api import as_int, as_str
from earshot.adapters.sources.limits import json_object, raise_for_api
from earshot.adapters.sources.reddit.auth import DENIED, Credentials, TokenCache, user_agent
from earshot.adapters.sources.reddit.source import API_URL, AUTH_URL, RSS_URL
from earshot.bot.errors import EarshotError
from earshot.bot.guest.checker import PlaceRules
from earshot.bot.guest.rules import RuleCard, asks_of, community_key
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

TTL = timedelta(hours=6)  # subreddits change their rules rarely; a day-old copy is still right
RETRY_AFTER = timedelta(minutes=5)  # a failure is remembered this long, so a check does not wait on it again
TIMEOUT = 5.0  # seconds: a check waits no longer than this for a subreddit's rules
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}")
RULE_KINDS = ("all", "comment")  # "link" rules are about posts; a reply is a comment


def _utcnow() -> datetime:
    return datetime.now(UTC)


def parse_rules(body: Any, subreddit: str) -> tuple[RuleCard, ...]:
    """Rule cards from a rules payload (``{"rules": [{short_name, description, kind, priority}, ...]}``)."""
    rules = body.get("rules") if isinstance(body, dict) else None
    if not isinstance(rules, list):
        raise ValueError("no rules list in the answer")
    community = community_key("reddit", subreddit)
    url = f"https://www.reddit.com/r/{subreddit}/about/rules"
    cards: list[RuleCard] = []
    for n, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict) or as_str(rule.get("kind")) not in RULE_KINDS:
            continue
        title = as_str(rule.get("short_name")).strip()
        text = as_str(rule.get("description")).strip() or title
        if not text:
            continue
        priority = as_int(rule.get("priority"))
        number = (priority if priority is not None else n - 1) + 1
        cards.append(
            RuleCard(
                f"{community}:{number}",
                community,
                f"r/{subreddit} rule {number}: {title or 'untitled'}",
                text,
                url,
                quoted=True,  # the subreddit's own words, as its moderators wrote them
                asks=asks_of(f"{title} {text}"),
            )
        )
    return tuple(cards)


class SubredditRules:
    """Reads and caches subreddits' rules; ``rules`` answers within ``timeout`` whatever Reddit does."""

    def __init__(
        self,
        http: SafeHttp,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = _utcnow,
        api_url: str = API_URL,
        auth_url: str = AUTH_URL,
        public_url: str = RSS_URL,
        ttl: timedelta = TTL,
        timeout: float = TIMEOUT,
    ) -> None:
        env = {} if env is None else env
        self._http = http
        self._clock = clock
        self._credentials = Credentials.from_env(env)
        self._agent = user_agent(env)
        self._tokens = TokenCache(http, clock, self._agent)
        self._urls = (api_url.rstrip("/"), auth_url.rstrip("/"), public_url.rstrip("/"))
        self._ttl = ttl
        self._timeout = timeout
        self._cache: dict[str, tuple[datetime, PlaceRules]] = {}

    async def rules(self, source: str, community: str | None) -> PlaceRules:
        """A subreddit's cards (cached), or none with a note; nothing for other sources."""
        name = (community or "").strip().removeprefix("/").removeprefix("r/").strip("/")
        if source != "reddit" or not _NAME.fullmatch(name):
            return PlaceRules()
        key = name.lower()
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None and now < cached[0]:
            return cached[1]
        try:
            cards = await asyncio.wait_for(self._fetch(name), self._timeout)
        except (EarshotError, ValueError, TimeoutError) as exc:
            why = "it did not answer in time" if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__
            log.info("r/%s rules: %s", name, why)
            found = PlaceRules(note=f"r/{name}'s own rules could not be read ({why}); Reddit's site-wide rules apply")
            self._cache[key] = (now + min(RETRY_AFTER, self._ttl), found)
            return found
        found = PlaceRules(cards)
        self._cache[key] = (now + self._ttl, found)
        return found

    async def _fetch(self, name: str) -> tuple[RuleCard, ...]:
        api_url, auth_url, public_url = self._urls
        headers = {"User-Agent": self._agent, "Accept": "application/json"}
        if self._credentials is not None:
            token = await self._tokens.token(auth_url, self._credentials)
            url = f"{api_url}/r/{name}/about/rules"
            headers["Authorization"] = f"bearer {token}"
        else:
            url = f"{public_url}/r/{name}/about/rules.json"
        response = await self._http.get(url, params={"raw_json": "1"}, headers=headers)
        raise_for_api(
            response, "Reddit", denied=f"r/{name} may be private or banned; otherwise {DENIED}", now=self._clock()
        )
        return parse_rules(json_object(response, "Reddit", "a list of rules"), name)
