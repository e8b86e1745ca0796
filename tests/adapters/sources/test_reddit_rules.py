"""A subreddit's own rules from a fake Reddit on 127.0.0.1: cards, cache, OAuth, and an endpoint that fails or is slow.

``tests/data/reddit/rules_python.json`` was written for these tests in the shape of Reddit's
``/r/NAME/about/rules`` answer (the shape PRAW's recorded cassettes show: ``rules`` with ``kind``, ``short_name``,
``description``, ``priority``; ``site_rules``; ``site_rules_flow``).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.reddit.rules import SubredditRules, parse_rules
from earshot.bot.guest.rules import DISCLOSE, LIMIT_PROMOTION, NO_GENERATED, cards_for
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fakes.reddit import CLIENT_ID, JSON, SECRET, FakeReddit
from tests.fixtures import data_path

BODY = data_path("reddit", "rules_python.json").read_bytes()
ENV = {"REDDIT_CLIENT_ID": CLIENT_ID, "REDDIT_CLIENT_SECRET": SECRET}


def reader(http: SafeHttp, server: FakeHttpServer, clock: Clock, **kwargs: object) -> SubredditRules:
    base = server.url("").rstrip("/")
    env = kwargs.pop("env", {})
    return SubredditRules(http, env, clock=clock, api_url=base, auth_url=base, public_url=base, **kwargs)  # type: ignore[arg-type]


def serve_public(server: FakeHttpServer, reply: Reply | None = None) -> None:
    server.route("GET", "/r/Python/about/rules.json", lambda request: reply or Reply(200, BODY, JSON))


def test_comment_rules_become_quoted_cards_with_what_they_ask() -> None:
    cards = parse_rules(json.loads(BODY), "Python")
    assert [c.id for c in cards] == ["reddit:r/python:1", "reddit:r/python:3", "reddit:r/python:4"]  # no post rule
    topic, promo, generated = cards
    assert topic.title == "r/Python rule 1: Stay on topic"
    assert topic.text == "Posts and comments must be about the Python language or its ecosystem."
    assert topic.quoted and topic.url == "https://www.reddit.com/r/Python/about/rules"
    assert promo.asks == (DISCLOSE, LIMIT_PROMOTION)
    assert generated.text == "No AI-generated answers"  # no description: the short name is the rule
    assert generated.asks == (NO_GENERATED,)


def test_a_payload_without_rules_is_refused() -> None:
    with pytest.raises(ValueError, match="no rules list"):
        parse_rules({"kind": "Listing"}, "Python")


async def test_reads_the_public_endpoint_and_caches_for_the_ttl(http: SafeHttp, server: FakeHttpServer) -> None:
    serve_public(server)
    clock = Clock()
    rules = reader(http, server, clock, ttl=timedelta(hours=6))
    first = await rules.rules("reddit", "r/Python")
    assert len(first.cards) == 3 and first.note is None
    assert server.requests[0].param("raw_json") == "1"
    assert (await rules.rules("reddit", "python")).cards == first.cards  # the same subreddit, any case
    assert len(server.requests) == 1
    clock.advance(timedelta(hours=7))
    await rules.rules("reddit", "r/Python")
    assert len(server.requests) == 2


async def test_with_credentials_it_asks_the_oauth_api(http: SafeHttp, server: FakeHttpServer) -> None:
    FakeReddit(server, subreddit="Python").serve_rules(BODY)
    found = await reader(http, server, Clock(), env=ENV).rules("reddit", "r/Python")
    assert len(found.cards) == 3
    assert [r.path for r in server.requests] == ["/api/v1/access_token", "/r/Python/about/rules"]
    assert server.requests[1].headers["user-agent"].startswith("python:earshot:")


async def test_a_failing_endpoint_gives_a_note_and_is_not_asked_again_at_once(
    http: SafeHttp, server: FakeHttpServer
) -> None:
    serve_public(server, Reply(503, b"upstream down", {"Content-Type": "text/plain"}))
    clock = Clock()
    rules = reader(http, server, clock)
    found = await rules.rules("reddit", "r/Python")
    assert found.cards == ()
    assert found.note is not None and found.note.startswith("r/Python's own rules could not be read (")
    assert found.note.endswith("; Reddit's site-wide rules apply")
    await rules.rules("reddit", "r/Python")
    assert len(server.requests) == 1
    clock.advance(timedelta(minutes=6))
    await rules.rules("reddit", "r/Python")
    assert len(server.requests) == 2


async def test_a_slow_endpoint_gives_up_within_the_timeout(http: SafeHttp, server: FakeHttpServer) -> None:
    def slow(request: Request) -> Reply:
        time.sleep(2)
        return Reply(200, BODY, JSON)

    server.route("GET", "/r/Python/about/rules.json", slow)
    found = await reader(http, server, Clock(), timeout=0.2).rules("reddit", "r/Python")
    assert found.cards == ()
    assert (
        found.note
        == "r/Python's own rules could not be read (it did not answer in time); Reddit's site-wide rules apply"
    )


async def test_an_answer_that_is_not_rules_gives_a_note(http: SafeHttp, server: FakeHttpServer) -> None:
    serve_public(server, Reply(200, b'{"kind": "Listing", "data": {}}', JSON))
    found = await reader(http, server, Clock()).rules("reddit", "r/Python")
    assert found.note is not None and "no rules list in the answer" in found.note


@pytest.mark.parametrize(("source", "community"), [("hackernews", None), ("reddit", None), ("reddit", "r/not a name")])
async def test_nothing_to_read_asks_nothing(
    http: SafeHttp, server: FakeHttpServer, source: str, community: str | None
) -> None:
    assert (await reader(http, server, Clock()).rules(source, community)).cards == ()
    assert server.requests == []


async def test_the_subreddits_cards_join_the_site_wide_ones(http: SafeHttp, server: FakeHttpServer) -> None:
    serve_public(server)
    place = await reader(http, server, Clock()).rules("reddit", "r/Python")
    ids = [c.id for c in cards_for("reddit", "r/Python", place_cards=place.cards)]
    assert ids == [
        "reddit:content-policy",
        "reddit:reddiquette",
        "reddit:r/python:1",
        "reddit:r/python:3",
        "reddit:r/python:4",
    ]
