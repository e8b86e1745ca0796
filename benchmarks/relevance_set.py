"""The labelled evaluation set (tests/data/evaluation): loading, the dev/test split, and items as the bot reads them.

Each item is stored in its source's own API shape ("raw") and becomes a Conversation through that source adapter's
own parsing function, so the evaluation sees exactly what the running bot would see (a Mastodon post's title is its
text's opening, a Stack Exchange body is HTML, ...). See tests/data/evaluation/README.md for the schema.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from earshot.adapters.sources.bluesky import parse as bluesky_parse
from earshot.adapters.sources.discourse.source import _topic as discourse_topic
from earshot.adapters.sources.github.source import _issue as github_issue
from earshot.adapters.sources.hackernews.source import _conversation as hackernews_hit
from earshot.adapters.sources.lobsters.source import _story as lobsters_story
from earshot.adapters.sources.mastodon import parse as mastodon_parse
from earshot.adapters.sources.reddit import parse as reddit_parse
from earshot.adapters.sources.rss.source import parse_feed
from earshot.adapters.sources.stackexchange.source import _question as stackexchange_question
from earshot.bot.domain import Conversation, Topic

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "evaluation"
ITEMS = DATA / "items.jsonl"
TOPICS = DATA / "topics.json"

SOURCES = ("hackernews", "reddit", "stackexchange", "github", "discourse", "lobsters", "mastodon", "bluesky", "rss")
# Every kind of case the set holds; "plain" is an ordinary ask (worth joining) or an ordinary post that is not.
TRAPS = (
    "plain",
    "no_keyword",
    "paraphrased_ask",
    "ask_without_question_mark",
    "other_language",
    "homonym",
    "homonym_question",
    "solved",
    "call_for_papers",
    "newsletter",
    "experience_report",
    "job_post",
    "job_idiom",
    "gives_advice",
    "launch",
)
PARTS = ("dev", "test")
DEV_SHARE = 60  # percent of items in the development part


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled (item, topic) pair: would a person who knows the topic want to join this conversation?"""

    item_id: str
    source: str
    topic: str
    worth_joining: bool
    trap: str
    part: str


def part_of(item_id: str) -> str:
    """The item's part, "dev" or "test", from a stable hash of its id alone.

    Hashing the id (not the item's position or its neighbours) keeps every item in its part for good when the set
    grows or is reordered, so nothing seen while tuning can drift into the test part later.
    """
    bucket = int.from_bytes(hashlib.sha256(item_id.encode("utf-8")).digest()[:8], "big") % 100
    return "dev" if bucket < DEV_SHARE else "test"


def load_items(path: Path = ITEMS) -> list[dict[str, Any]]:
    """The items, one JSON object a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_topics(path: Path = TOPICS) -> dict[str, dict[str, Any]]:
    """The topics by name: query, about, languages and examples."""
    topics: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return topics


def topic_of(name: str, spec: dict[str, Any], languages: bool = True, meaning: bool = True) -> Topic:
    """A topic of topics.json as the bot holds it: its query and languages and, with ``meaning``, what it means.

    ``examples`` marked worth joining become the topic's examples, the others its counter-examples; a topic with
    ``about`` opts in to being found without a keyword.
    """
    examples = spec.get("examples", ()) if meaning else ()
    about = spec.get("about", "") if meaning else ""
    return Topic(
        name,
        spec["query"],
        languages=tuple(spec.get("languages", ())) if languages else (),
        about=about,
        examples=tuple(e["text"] for e in examples if e["worth_joining"]),
        counter_examples=tuple(e["text"] for e in examples if not e["worth_joining"]),
        without_keyword=bool(about),
    )


def cases(items: list[dict[str, Any]]) -> Iterator[Case]:
    """Every labelled (item, topic) pair, with the item's part."""
    for item in items:
        part = part_of(item["id"])
        for topic, label in item["labels"].items():
            yield Case(item["id"], item["source"], topic, bool(label["worth_joining"]), label["trap"], part)


def conversation(item: dict[str, Any]) -> Conversation:
    """The item as the bot reads it: parsed by its source adapter from the stored API shape."""
    found = _READERS[item["source"]](item["raw"])
    if found is None:
        raise ValueError(f"{item['id']}: the {item['source']} adapter did not read this item")
    return found


def _first(found: tuple[Conversation, int] | None) -> Conversation | None:
    return found[0] if found is not None else None


def _stackexchange(raw: dict[str, Any]) -> Conversation | None:
    site = urlsplit(raw["link"]).hostname or "stackoverflow.com"
    return _first(stackexchange_question(raw, site.removesuffix(".com").removesuffix(".stackexchange")))


def _discourse(raw: dict[str, Any]) -> Conversation | None:
    # The stored shape is a one-topic page of /latest.json: its users list names the original poster.
    users = {user["id"]: user["username"] for user in raw["users"]}
    base = "https://discuss.example.org"
    found = discourse_topic(raw["topic_list"]["topics"][0], base=base, community="discuss.example.org", users=users)
    return _first(found)


def _rss(raw: dict[str, Any]) -> Conversation | None:
    # RSS has no JSON shape: the stored fields are an <item>'s elements, put back into a feed for the real parser.
    published = format_datetime(parsedate_to_datetime(raw["pubDate"]))
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>{escape(raw['feed'])}</link><description>x</description><item>"
        f"<title>{escape(raw['title'])}</title><link>{escape(raw['link'])}</link>"
        f'<guid isPermaLink="true">{escape(raw["guid"])}</guid><pubDate>{published}</pubDate>'
        f"<author>{escape(raw['author'])}</author><description>{escape(raw['description'])}</description>"
        "</item></channel></rss>"
    )
    found = parse_feed(xml.encode("utf-8"), feed_url=raw["feed"], content_type="application/rss+xml")
    return found[0] if found else None


_READERS: dict[str, Callable[[dict[str, Any]], Conversation | None]] = {
    "hackernews": lambda raw: _first(hackernews_hit(raw)),
    "reddit": lambda raw: reddit_parse.conversation(raw["kind"], raw["data"]),
    "stackexchange": _stackexchange,
    "github": lambda raw: _first(github_issue(raw)),
    "discourse": _discourse,
    "lobsters": lambda raw: _first(lobsters_story(raw, "https://lobste.rs")),
    "mastodon": lambda raw: mastodon_parse.conversation(raw, urlsplit(raw["uri"]).hostname or "", None),
    "bluesky": lambda raw: bluesky_parse.conversation(raw, None),
    "rss": _rss,
}
