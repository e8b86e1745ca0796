"""Stored alerts built from hostile strings, for the renderer properties: every text field, every URL, every
name a person or a feed can put in front of a chat platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from earshot.bot.domain import Alert, Conversation, Outcome, OutcomeKind, Sighting, Summary

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SLACK_ID = "U0ALICE01"
DISCORD_ID = "80351110224678912"

TRICKS = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<@U123>",
    "<@U0ALICE01>",
    "<#C1>",
    "<#C1|general>",
    "<!subteam^S012345>",
    "<!date^1392734382^{date}|Feb 18>",
    "@everyone",
    "@here",
    "@channel",
    "<@80351110224678912>",
    "<@!80351110224678912>",
    "<@&290926798626358001>",
    "<#345626669114982403>",
    "</earshot mine:123>",
    "<:blob:123>",
    "<t:0:R>",
    "[x](http://evil)",
    "[login](https://evil.example 'title')",
    "<http://a|b>",
    "<https://evil.example|https://good.example>",
    "*<http://a|b>*",
    "\\[x\\](http://evil)",
    "\\<@123>",
    "`code` ~~s~~ **b** __u__ ||spoiler||",
    "# heading",
    "-# subtext",
    "> quote",
    "1. list",
    "&amp; &lt; &gt; & < >",
    "|",
    "\n",
    "\r\n\t",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "\u202eevil\u202c",
    "\u200f\u200e\u061c",
    "\u200b\ufeff",
    "\ud83d",
    "\udc00\ud800",
    "\U0001f600",
    "👨‍👩‍👧‍👦",
    "Z̴̧̛̳̼͖̜̲͍̺̳̝̤̦͉͎̮̺̗͉͍̭̈́̄̊̈́̂̀̐̿͊̈́̄̕͝a̵̡",
    "%00%0a%7C",
    ":rotating_light:",
]

URLS = [
    "http://[::1",
    "https://[v1.x]/",
    "http://a]b[/",
    "http://h.com:99999/",
    "http://",
    "https://e.com/a|b>c<d e",
    "https://e.com/a_(b)c)",
    "https://e.com/?a=1&b=<2>",
    "javascript:alert(1)",
    "data:text/html,<script>",
    "file:///etc/passwd",
    "HTTP://EXAMPLE.COM/%zz%",
    "http://bücher.de/ü",
    "http://user:pw@evil.example/",
    "https://good.example\\@evil.example/",
    "https://e.com/" + "a" * 2100,
    "https://e.com/" + "a" * 600,
    "http://a.com/\n<!channel>",
    "https://news.ycombinator.com/item?id=1",
    "",
]

surrogate_text = st.text(st.characters(exclude_categories=()), max_size=40)  # lone surrogates, NUL, controls
tricky = st.sampled_from(TRICKS)
piece = st.one_of(tricky, surrogate_text, st.text(max_size=20))
hostile = st.one_of(
    st.lists(piece, max_size=6).map("".join),
    st.builds(lambda s, n: s * n, tricky, st.integers(1, 700)),  # long, and long runs of markup
    st.sampled_from(URLS),
)
urls = st.one_of(st.sampled_from(URLS), hostile, hostile.map(lambda s: "https://e.com/" + s))
counts = st.one_of(st.none(), st.integers(-(2**63), 2**63))


@dataclass(frozen=True)
class Stored:
    """An alert as delivery reads it, with what its message shows besides: outcomes, progress, the team's outcomes."""

    alert: Alert
    outcomes: tuple[Outcome, ...]
    progress: str
    labels: tuple[str, ...]  # the team's own outcomes ([outcomes] custom)


def _stored(text: str, url: str, claimer: str | None) -> Stored:
    """Every field set to ``text`` (URLs to ``url``): one hostile string everywhere, as the conformance test uses."""
    conversation = Conversation(
        source="hackernews",
        external_id="1",
        url=url,
        title=text,
        text=text,
        author=text,
        created_at=T0,
        thread_size=3,
        points=1,
        link=url,
        community=text,
    )
    alert = Alert(
        id=7,
        topic=text,
        channel=None,
        conversation=conversation,
        matched=(text,),
        score=50,
        created_at=T0,
        claimed_by=claimer,
        claimed_at=T0 if claimer else None,
        reasons=(text, text),
        summary=Summary(text, (text, text)),
        also_seen=(Sighting("reddit", url, text, text, 2, 3),),
    )
    outcomes = tuple(Outcome(7, kind, claimer or text, T0, text, text) for kind in OutcomeKind)
    return Stored(alert, outcomes, text, (text,))


def everywhere(text: str) -> list[Stored]:
    """Alerts with ``text`` in every field: unclaimed, claimed by a Slack id, a Discord id, and by ``text``."""
    return [_stored(text, url, claimer) for url, claimer in [(text, None), (text, SLACK_ID), (URLS[0], DISCORD_ID)]] + [
        _stored(text, text, text)
    ]


@st.composite
def stored_alerts(draw: st.DrawFn) -> Stored:
    """An alert with independent hostile values in every field."""
    conversation = Conversation(
        source=draw(st.sampled_from(["hackernews", "reddit", "rss"])),
        external_id="1",
        url=draw(urls),
        title=draw(hostile),
        text=draw(hostile),
        author=draw(st.none() | hostile),
        created_at=draw(st.none() | st.just(T0 - timedelta(hours=2))),
        thread_size=draw(counts),
        points=draw(counts),
        link=draw(st.none() | urls),
        community=draw(st.none() | hostile),
    )
    claimer = draw(st.none() | st.sampled_from([SLACK_ID, DISCORD_ID]) | hostile)
    summary = draw(st.none() | st.builds(Summary, hostile, st.lists(hostile, max_size=4).map(tuple)))
    sighting = st.builds(Sighting, st.just("reddit"), urls, hostile, st.none() | hostile, counts, counts)
    alert = Alert(
        id=draw(st.integers(1, 2**62)),
        topic=draw(hostile),
        channel=None,
        conversation=conversation,
        matched=tuple(draw(st.lists(hostile, max_size=4))),
        score=draw(st.integers(0, 100)),
        created_at=T0,
        claimed_by=claimer,
        claimed_at=T0 if claimer is not None else None,
        reasons=tuple(draw(st.lists(hostile, max_size=6))),
        summary=summary,
        also_seen=tuple(draw(st.lists(sighting, max_size=12))),
    )
    actor = st.sampled_from([SLACK_ID, DISCORD_ID]) | hostile
    outcome = st.builds(
        Outcome,
        st.just(alert.id),
        st.sampled_from(list(OutcomeKind)),
        actor,
        st.just(T0),
        st.none() | hostile,
        st.none() | hostile,
    )
    outcomes = tuple(draw(st.lists(outcome, max_size=10)))
    return Stored(alert, outcomes, draw(hostile), tuple(draw(st.lists(hostile, max_size=3))))
