"""Each source fills a conversation's state, declared language and untitled from its own fields, in its real shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.bluesky import parse as bluesky
from earshot.adapters.sources.discourse.source import DiscourseSource, topic_state
from earshot.adapters.sources.github.graphql import discussion
from earshot.adapters.sources.github.source import _issue
from earshot.adapters.sources.language import language_code
from earshot.adapters.sources.mastodon import parse as mastodon
from earshot.adapters.sources.reddit import parse as reddit
from earshot.adapters.sources.rss.source import parse_feed
from earshot.adapters.sources.stackexchange.source import StackExchangeSource
from earshot.bot.domain import Conversation, Feed
from tests.adapters.sources.payloads import gh_discussion, gh_issue
from tests.adapters.sources.payloads_more import bluesky_post, mastodon_status, reddit_comment, reddit_post
from tests.fakes.discourse import FakeDiscourse, topic
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.stackexchange import FakeStackExchange, kubernetes_questions, question
from tests.fixtures import shared_path

NOW = datetime(2023, 12, 10, 17, 6, 40, tzinfo=UTC)


async def test_stack_exchange_questions_carry_their_state(http: SafeHttp, server: FakeHttpServer) -> None:
    api = FakeStackExchange(server)
    # The recorded questions as they are: one open, one with an accepted answer, two more, one answered.
    recorded = kubernetes_questions()
    assert [(q["is_answered"], "accepted_answer_id" in q) for q in recorded] == [
        (False, False),
        (True, True),
        (False, False),
        (True, False),
    ]
    recorded[2].update(closed_date=1_702_225_900, closed_reason="Duplicate")
    locked = question(77_641_300, 1_702_226_900, answers=2)
    locked.update(locked_date=1_702_227_000, closed_date=1_702_226_950, closed_reason="Needs more focus")
    api.add(*recorded, locked)
    source = StackExchangeSource(http, {}, clock=lambda: NOW, api_url=api.api_url)
    feed = Feed(name="so", kind="stackexchange", every=timedelta(minutes=10), url=api.api_url, options={})
    result = await source.fetch(feed, {}, seeding=False)
    assert [item.state for item in result.items] == ["locked", None, "solved", "closed", "answered"]
    assert not any(item.untitled or item.language for item in result.items)


async def test_discourse_topics_carry_their_state(http: SafeHttp, server: FakeHttpServer) -> None:
    forum = FakeDiscourse(server)
    now = 1_700_000_000
    forum.add(
        topic(11, now - 500, closed=True),
        topic(12, now - 400, archived=True),
        topic(13, now - 300, has_accepted_answer=True),
        topic(14, now - 200, closed=False, archived=False),
    )
    source = DiscourseSource(http, {}, clock=lambda: datetime.fromtimestamp(now, UTC))
    feed = Feed(name="forum", kind="discourse", every=timedelta(minutes=10), url=forum.url, options={})
    result = await source.fetch(feed, {}, seeding=False)
    states = {item.external_id.rsplit("/", 1)[-1]: item.state for item in result.items}
    assert states == {"11": "closed", "12": "closed", "13": "solved", "14": None}


def test_a_discourse_topic_page_names_its_accepted_answer() -> None:
    # /t/<id>.json with the discourse-solved plugin: the accepted post, not a flag.
    page = {"id": 5, "closed": False, "archived": False, "accepted_answer": {"post_number": 3, "username": "bo"}}
    assert topic_state(page) == "solved"
    assert topic_state({**page, "accepted_answer": None}) is None
    assert topic_state({**page, "closed": True}) == "closed"


def _issue_state(**changes: Any) -> str | None:
    found = _issue({**gh_issue(1), **changes})
    assert found is not None
    return found[0].state


def test_github_issues_closed_for_any_reason_are_closed_and_locked_ones_locked() -> None:
    assert _issue_state() is None
    assert _issue_state(state="closed", state_reason="completed", closed_at="2023-11-15T00:00:00Z") == "closed"
    assert _issue_state(state="closed", state_reason="not_planned", closed_at="2023-11-15T00:00:00Z") == "closed"
    assert _issue_state(locked=True, active_lock_reason="too heated") == "locked"
    assert _issue_state(state="closed", locked=True) == "locked"


def test_github_discussions_answered_closed_or_locked() -> None:
    def state(**changes: Any) -> str | None:
        found = discussion({**gh_discussion(1), "closed": False, "locked": False, "answer": None, **changes})
        assert found is not None
        return found[0].state

    assert state() is None
    assert state(answer={"id": "DC_kwDOA1"}) == "solved"
    assert state(closed=True, answer={"id": "DC_kwDOA1"}) == "closed"
    assert state(locked=True) == "locked"


def _post(**data: Any) -> Conversation:
    raw = reddit_post(1)
    found = reddit.conversation("t3", {**raw["data"], **data})
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("data", "state"),
    [
        ({}, None),
        ({"locked": True}, "locked"),
        ({"archived": True}, "locked"),
        ({"link_flair_text": "Solved"}, "solved"),
        ({"link_flair_text": "Resolved ✅"}, "solved"),
        ({"link_flair_text": "Answered"}, "solved"),
        ({"link_flair_text": "Gelöst"}, "solved"),
        ({"link_flair_text": "Unsolved"}, None),
        ({"link_flair_text": "Help needed"}, None),
        ({"link_flair_text": "Solved", "locked": True}, "locked"),
    ],
)
def test_reddit_posts_locked_archived_or_flaired_solved(data: dict[str, Any], state: str | None) -> None:
    assert _post(**data).state == state


def test_reddit_comments_in_a_locked_thread_and_posts_without_a_title() -> None:
    raw = reddit_comment(1)
    comment = reddit.conversation("t1", {**raw["data"], "locked": True})
    assert comment is not None and comment.state == "locked"
    assert not _post().untitled
    untitled = _post(title="")
    assert untitled.untitled and untitled.title == "Body 1"


def test_mastodon_statuses_declare_their_language_and_have_no_title() -> None:
    item = mastodon.conversation(mastodon_status(1), "mastodon.example", None)
    assert item is not None
    assert (item.language, item.untitled, item.state) == ("en", True, None)
    for declared, code in (("pt-BR", "pt"), ("DE", "de"), (None, None), ("", None)):
        again = mastodon.conversation({**mastodon_status(1), "language": declared}, "mastodon.example", None)
        assert again is not None and again.language == code


def test_bluesky_posts_declare_their_first_language_and_a_closed_threadgate_locks_them() -> None:
    raw = bluesky_post(1)
    item = bluesky.conversation(raw, None)
    assert item is not None
    assert (item.language, item.untitled, item.state) == ("en", True, None)
    many = bluesky.conversation({**raw, "record": {**raw["record"], "langs": ["ja", "en"]}}, None)
    none = bluesky.conversation({**raw, "record": {k: v for k, v in raw["record"].items() if k != "langs"}}, None)
    assert many is not None and many.language == "ja"
    assert none is not None and none.language is None

    def gated(allow: list[dict[str, Any]]) -> str | None:
        gate = {
            "uri": "at://did:plc:x/app.bsky.feed.threadgate/3kabc001",
            "cid": "bafyreigate",
            "record": {"$type": "app.bsky.feed.threadgate", "post": raw["uri"], "allow": allow, "createdAt": "x"},
            "lists": [],
        }
        found = bluesky.conversation({**raw, "threadgate": gate}, None)
        assert found is not None
        return found.state

    assert gated([]) == "locked"  # nobody may reply
    assert gated([{"$type": "app.bsky.feed.threadgate#mentionRule"}]) is None  # some may


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Blog</title><link>https://blog.example.com/</link><description>x</description>
<language>de-DE</language>
<item><title>Postgres-Tuning</title><link>https://blog.example.com/1</link><guid>https://blog.example.com/1</guid>
<description>Text</description></item>
<item><link>https://blog.example.com/2</link><guid>https://blog.example.com/2</guid>
<description>Ein Beitrag ohne Titel, wie auf Microblogs.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>Blog</title><id>urn:blog</id>
<updated>2024-01-01T00:00:00Z</updated>
<entry xml:lang="es"><title>Hola</title><id>https://blog.example.com/a</id><link href="https://blog.example.com/a"/>
<updated>2024-01-01T00:00:00Z</updated><content type="html">&lt;p&gt;Texto&lt;/p&gt;</content></entry>
<entry><title>Salut</title><id>https://blog.example.com/b</id><link href="https://blog.example.com/b"/>
<updated>2024-01-01T00:00:00Z</updated><summary>Texte</summary></entry>
</feed>"""

NO_LANGUAGE = RSS.replace("<language>de-DE</language>", "")


def test_feeds_declare_a_language_per_channel_or_entry_and_items_may_have_no_title() -> None:
    titled, untitled = parse_feed(RSS.encode(), feed_url="https://blog.example.com/feed")
    assert (titled.language, titled.untitled) == ("de", False)
    assert (untitled.language, untitled.untitled) == ("de", True)
    assert untitled.title.startswith("Ein Beitrag ohne Titel")
    spanish, french = parse_feed(ATOM.encode(), feed_url="https://blog.example.com/atom")
    assert (spanish.language, french.language) == ("es", "fr")
    assert {i.language for i in parse_feed(NO_LANGUAGE.encode(), feed_url="https://blog.example.com/feed")} == {None}


@pytest.mark.parametrize(
    ("name", "languages", "untitled"),
    [
        ("archlinux_news.rss.xml", {"en"}, {False}),  # <language>en-us</language>
        ("feedparser_touchnokia_ru_messy_css.atom.xml", {"ru"}, {False}),  # xml:lang="ru" on each content
        ("mastodon_tag_rss.xml", {None}, {True}),  # Mastodon's tag feed: items without a title
    ],
)
def test_conformance_recorded_feeds_declare_what_they_say(name: str, languages: set[str], untitled: set[bool]) -> None:
    items = parse_feed(shared_path("fixtures", "rss", name).read_bytes(), feed_url="https://example.com/feed")
    assert items
    assert {i.language for i in items} == languages
    assert {i.untitled for i in items} == untitled


@pytest.mark.parametrize(
    ("tag", "code"),
    [("en", "en"), ("EN-us", "en"), ("en_GB", "en"), ("zh-Hant-TW", "zh"), ("kab", "kab"), (" de ", "de")],
)
def test_language_tags_become_their_primary_code(tag: str, code: str) -> None:
    assert language_code(tag) == code


@pytest.mark.parametrize("tag", ["", "und", "x-klingon", "english", "e", "en us", None, 7, ["en"]])
def test_what_is_not_a_language_tag_declares_nothing(tag: object) -> None:
    assert language_code(tag) is None
