"""X feeds and a feed bridge (an RSSHub-shaped feed read by the rss kind) through the real `earshot` command:
`run --once` against fake services on 127.0.0.1, `status`, `feeds add` and `doctor`."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import Earshot
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.webhook import WebhookReceiver
from tests.fakes.x import TOKEN, FakeX, post

pytestmark = pytest.mark.any_database

CONFIG = """
    [chat]
    platform = "webhook"
    channel = "alerts"
    webhook_url = "{hook}"

    [fetch]
    allow_private = ["127.0.0.1"]

    [[feeds]]
    name = "x-widgets"
    kind = "x"
    every = "30m"
    base_url = "{x}"
    query = "widgets"
    options = {{ max_requests_per_day = 3 }}

    [[feeds]]
    name = "telegram-widgets"
    kind = "rss"
    every = "10m"
    url = "{bridge}"

    [[topics]]
    name = "widgets"
    query = 'widgets'
    exclude_sources = ["rss"]

    [[topics]]
    name = "telegram"
    query = 'widgets'
    exclude_sources = ["x"]
    """

# What RSSHub's /telegram/channel/:username route serves (RSS 2.0 from its art-template, as of 2024): the channel
# as the channel title, each message an item with an HTML description, a t.me link as guid, and no author.
RSSHUB = """<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">
    <channel>
        <title><![CDATA[Widget Makers - Telegram Channel]]></title>
        <link>https://t.me/s/widgetmakers</link>
        <atom:link href="http://127.0.0.1/telegram/channel/widgetmakers" rel="self" type="application/rss+xml" />
        <description><![CDATA[Widget Makers - Telegram Channel - Powered by RSSHub]]></description>
        <generator>RSSHub</generator>
        <webMaster>contact@rsshub.app (RSSHub)</webMaster>
        <language>en</language>
        <lastBuildDate>{now}</lastBuildDate>
        <ttl>5</ttl>
{items}
    </channel>
</rss>
"""
ITEM = """        <item>
            <title><![CDATA[{title}]]></title>
            <description><![CDATA[<p>{title}</p>]]></description>
            <pubDate>{when}</pubDate>
            <guid isPermaLink="false">https://t.me/widgetmakers/{n}</guid>
            <link>https://t.me/widgetmakers/{n}</link>
        </item>"""


def _rfc822(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_x_and_a_bridge_feed_alert_once_and_x_use_shows_in_status(
    earshot: Earshot, server: FakeHttpServer, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    x = FakeX(server)
    x.add(post(1000, _iso(now - 600), "old widgets news"))
    messages = [(1, "Our widgets shipped", now - 900)]

    def bridge(_: object) -> Reply:
        items = "\n".join(ITEM.format(title=t, when=_rfc822(w), n=n) for n, t, w in reversed(messages))
        body = RSSHUB.format(now=_rfc822(now), items=items)
        return Reply(200, body, {"Content-Type": "application/rss+xml; charset=utf-8"})

    server.route("GET", "/telegram/channel/widgetmakers", bridge)
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    monkeypatch.setenv("X_API_URL", x.api_url)
    earshot.write_config(CONFIG.format(hook=hook.url, x=x.api_url, bridge=server.url("/telegram/channel/widgetmakers")))
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()
    day = datetime.now(UTC).date()  # the requests are counted per UTC day
    seeded = earshot("run", "--once")
    assert seeded.returncode == 0, seeded.stderr
    assert hook.alerts() == []  # first polls are silent

    x.add(post(1001, _iso(now - 30), "Anyone tried the new widgets?"))
    messages.append((2, "New widgets poll in the comments", now - 20))
    done = earshot("run", "--once")
    assert done.returncode == 0, done.stderr
    sent = " ".join(r.body.decode() for r in hook.received)
    assert "https://x.com/XDevelopers/status/1001" in sent, done.stderr
    # The bridge's new message makes an alert (the old one does not: its first poll was silent).
    assert "feed telegram-widgets: ok, 2 fetched, 1 new, 1 alerts" in done.stderr, done.stderr
    assert "https://t.me/widgetmakers/1" not in sent and "status/1000" not in sent
    assert x.server.hits("/2/tweets/1001")  # the thread was read from the local server
    delivered = len(hook.received)
    again = earshot("run", "--once")
    assert again.returncode == 0 and len(hook.received) == delivered  # nothing twice
    assert TOKEN not in done.stderr + again.stderr

    status = earshot("status", "--json")
    if datetime.now(UTC).date() != day:
        pytest.skip("the test ran across midnight UTC: the day's counts started again partway")
    [feed] = [f for f in json.loads(status.stdout)["feeds"] if f["name"] == "x-widgets"]
    assert feed["usage_today"] == {"requests": 3, "posts": 2}, status.stdout
    # Reading post 1001's thread for its summary took two requests (the post, its conversation), counted apart.
    conversation = [p for p in x.posts if p["conversation_id"] == "1001"]
    reads = {"posts": 1 + len(conversation), "requests": 2}
    assert json.loads(status.stdout)["thread_reads_today"] == {"x": reads}, status.stdout
    capped = earshot("run", "--once")  # the cap of 3 requests a day is reached: paused with the reason
    assert capped.returncode == 0
    text = earshot("status").stdout
    assert "daily cap reached: 3 requests" in text and "metered API use today" in text, text
    assert "x thread reads" in text and f"{reads['posts']} posts, 2 requests" in text, text


def test_feeds_add_x_and_doctor_names_the_token(earshot: Earshot, monkeypatch: pytest.MonkeyPatch) -> None:
    earshot.write_config('[chat]\nplatform = "webhook"\nchannel = "a"\nwebhook_url = "http://127.0.0.1:9/h"\n')
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()
    added = earshot("feeds", "add", "x", "acme widgets -is:retweet", "--option", "max_posts_per_day=200")
    assert added.returncode == 0, added.stderr
    assert "(x)" in added.stdout
    earshot.write_config(
        '[chat]\nplatform = "webhook"\nchannel = "a"\nwebhook_url = "http://127.0.0.1:9/h"\n'
        '[[feeds]]\nname = "x"\nkind = "x"\nquery = "acme"\n'
    )
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    doctor = earshot("doctor")
    assert "FIX  x feeds: X_BEARER_TOKEN is not set\n     -> set X_BEARER_TOKEN: an app's bearer token" in doctor.stdout
    monkeypatch.setenv("X_BEARER_TOKEN", "secret-value-123")
    doctor = earshot("doctor")
    assert "ok   x feeds: X_BEARER_TOKEN is set" in doctor.stdout and "secret-value-123" not in doctor.stdout
