"""YouTube feeds through the real `earshot` command: `run --once` against a fake Data API v3 on 127.0.0.1, the quota
units in `status`, `feeds add` with options and `doctor` naming the key."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from earshot.adapters.sources.youtube.source import PACIFIC
from tests.e2e.conftest import Earshot
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.webhook import WebhookReceiver
from tests.fakes.youtube import CHANNEL, KEY, FakeYouTube, comment, thread

pytestmark = pytest.mark.any_database

CONFIG = """
    [chat]
    platform = "webhook"
    channel = "alerts"
    webhook_url = "{hook}"

    [fetch]
    allow_private = ["127.0.0.1"]

    [[feeds]]
    name = "yt-acme"
    kind = "youtube"
    every = "30m"
    base_url = "{yt}"
    options = {{ channel = "{channel}", videos = 2 }}

    [[topics]]
    name = "widgets"
    query = 'widgets'
    """


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_youtube_comments_alert_once_and_units_show_in_status(
    earshot: Earshot, server: FakeHttpServer, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    yt = FakeYouTube(server)
    yt.videos = ["vidNew00001", "vidOld00001"]
    yt.threads["vidNew00001"] = [thread(comment("Ugold", "vidNew00001", _iso(now - 600), "old widgets comment"))]
    monkeypatch.setenv("YOUTUBE_API_KEY", KEY)
    monkeypatch.setenv("YOUTUBE_API_URL", yt.api_url)
    earshot.write_config(CONFIG.format(hook=hook.url, yt=yt.api_url, channel=CHANNEL))
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()
    day = datetime.now(PACIFIC).date()  # the units are counted per Pacific-time day, as YouTube's quota
    seeded = earshot("run", "--once")
    assert seeded.returncode == 0, seeded.stderr
    assert hook.received == []

    yt.threads["vidOld00001"] = [
        thread(comment("Ugnew", "vidOld00001", _iso(now - 20), "Do widgets work offline?"), replies=1)
    ]
    yt.replies["Ugnew"] = [comment("Ugnew.r1", "vidOld00001", _iso(now - 10), "yes", parent="Ugnew")]
    done = earshot("run", "--once")
    assert done.returncode == 0, done.stderr
    sent = " ".join(r.body.decode() for r in hook.received)
    assert "https://www.youtube.com/watch?v=vidOld00001&lc=Ugnew" in sent, done.stderr
    assert "Ugold" not in sent
    assert yt.calls("comments")  # the thread (replies) was read for the summary
    delivered = len(hook.received)
    assert earshot("run", "--once").returncode == 0 and len(hook.received) == delivered
    assert KEY not in done.stderr

    status = earshot("status", "--json")
    if datetime.now(PACIFIC).date() == day:  # a run across midnight Pacific starts the count again partway
        assert '"quota_units": 9' in status.stdout, status.stdout
    else:
        assert '"quota_units": ' in status.stdout, status.stdout


def test_feeds_add_youtube_and_doctor_names_the_key(earshot: Earshot, monkeypatch: pytest.MonkeyPatch) -> None:
    chat = '[chat]\nplatform = "webhook"\nchannel = "a"\nwebhook_url = "http://127.0.0.1:9/h"\n'
    earshot.write_config(chat)
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()
    added = earshot("feeds", "add", "youtube", CHANNEL, "--option", "videos=3")
    assert added.returncode == 0, added.stderr
    assert "(youtube)" in added.stdout
    bad = earshot("feeds", "add", "youtube", "--option", "channel=acme", "--name", "bad")
    assert bad.returncode == 2 and "not a channel id" in bad.stderr
    earshot.write_config(chat + f'[[feeds]]\nname = "yt"\nkind = "youtube"\noptions = {{ channel = "{CHANNEL}" }}\n')
    monkeypatch.delenv("YOUTUBE_API_KEY", raising=False)
    doctor = earshot("doctor")
    assert "FIX  youtube feeds: YOUTUBE_API_KEY is not set\n     -> set YOUTUBE_API_KEY: an API key" in doctor.stdout
