"""When things go wrong: a crash mid-delivery, broken feeds, forbidden addresses, a typo in the config."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.e2e.conftest import Earshot, wait_for
from tests.e2e.test_run_once import config, now
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.feeds import FakeRss
from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fakes.webhook import WebhookReceiver

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>http://example.com/</link>
<item><title>&lol9; &lol9; &lol9;</title><link>http://example.com/a</link><description>&lol9;</description></item>
</channel></rss>
"""


def test_killed_between_writing_and_delivering_delivers_after_restart_once(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver, blog: FakeRss
) -> None:
    algolia.hits.append(algolia_hit(1, now() - 100, title="Seed", points=1))
    earshot.write_config(config(algolia, [blog], hook, extra='[delivery]\n        lease = "2s"\n'))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0
    t = now()
    algolia.hits += [algolia_hit(10 + i, t - i, title=f"Postgres question {i}", points=1) for i in range(3)]

    in_flight = threading.Event()
    killed = threading.Event()

    def hold_first(request: Request, payload: dict[str, Any]) -> Reply | None:
        if payload.get("type") == "alert" and not in_flight.is_set():
            in_flight.set()
            killed.wait(30)  # the sender dies before it hears back
            return Reply(503, b"receiver restarting")
        return None

    hook.script = hold_first
    process = earshot.start("run", "--once")
    wait_for(in_flight.is_set)
    process.kill()
    process.wait(10)
    killed.set()
    assert hook.alerts() == []

    time.sleep(2.5)  # the dead process's delivery leases run out
    done = earshot("run", "--once")
    assert done.returncode == 0, done.stderr
    urls = [a["url"] for a in hook.alerts()]
    assert sorted(urls) == sorted(f"https://news.ycombinator.com/item?id={10 + i}" for i in range(3))
    assert len(set(a["alert_id"] for a in hook.alerts())) == 3
    again = earshot("run", "--once")
    assert again.returncode == 0
    assert len(hook.alerts()) == 3


def test_broken_and_forbidden_feeds_are_reported_and_the_others_keep_working(
    earshot: Earshot, server: FakeHttpServer, algolia: FakeAlgolia, hook: WebhookReceiver
) -> None:
    big = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b" " * (50 * 1024 * 1024)
    server.route("GET", "/500.xml", lambda r: Reply(500, b"oops", {"Content-Type": "text/plain"}))
    server.route(
        "GET", "/garbage.xml", lambda r: Reply(200, b"\x00\x01 this is { not xml", {"Content-Type": "text/xml"})
    )
    server.route("GET", "/big.xml", lambda r: Reply(200, big, {"Content-Type": "application/rss+xml"}))
    server.route("GET", "/bomb.xml", lambda r: Reply(200, BILLION_LAUGHS, {"Content-Type": "application/rss+xml"}))
    bad = {
        "fails": server.url("/500.xml"),
        "garbage": server.url("/garbage.xml"),
        "huge": server.url("/big.xml"),
        "bomb": server.url("/bomb.xml"),
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "private": f"http://127.0.0.2:{server.port}/feed.xml",
    }
    feeds = "".join(
        f'\n[[feeds]]\nname = "{name}"\nkind = "rss"\nurl = "{url}"\nevery = "15m"\n' for name, url in bad.items()
    )
    algolia.hits.append(algolia_hit(1, now() - 100, title="Seed", points=1))
    earshot.write_config(config(algolia, [], hook) + feeds)
    earshot.upgrade()

    started = time.monotonic()
    first = earshot("run", "--once")
    assert first.returncode == 0, first.stderr  # it ran; some feeds failed, and it says which
    assert time.monotonic() - started < 45
    report = first.stderr
    assert "feed hn: ok" in report
    assert "feed fails: FAILED: HTTP 500" in report
    assert "feed garbage: FAILED:" in report and "not an RSS or Atom feed" in report
    assert "feed huge: FAILED:" in report and "cap" in report
    assert "feed metadata: FAILED:" in report and "169.254.169.254" in report and "allow_private" in report
    assert "feed private: FAILED:" in report and "127.0.0.2" in report
    assert "feed bomb:" in report
    assert not server.hits("/feed.xml")  # the forbidden address was never contacted

    algolia.hits.append(algolia_hit(2, now() - 5, title="Postgres at scale", points=3))
    second = earshot("run", "--once")
    assert second.returncode == 0
    assert [a["url"] for a in hook.alerts()] == ["https://news.ycombinator.com/item?id=2"]

    listing = earshot("feeds", "list")
    assert listing.returncode == 0, listing.stderr
    rows = {line.split()[0]: line for line in listing.stdout.splitlines()[1:]}
    assert "failing (2x)" in rows["fails"] and "HTTP 500" in rows["fails"]
    assert "ok" in rows["hn"]


def test_a_typo_in_the_config_stops_the_start_with_the_key_and_a_hint(earshot: Earshot) -> None:
    earshot.write_config(
        """
        [[feeds]]
        name = "hn"
        kind = "hackernews"
        evry = "2m"
        """
    )
    done = earshot("run", "--once")
    assert done.returncode == 2
    assert "feeds[1]" in done.stderr and "evry" in done.stderr and "every" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unreachable_database_is_a_clear_failure(earshot: Earshot) -> None:
    earshot.database_url = "postgresql+asyncpg://postgres@127.0.0.1:1/nothing"
    earshot.write_config('[chat]\nplatform = "console"\n')
    done = earshot("run", "--once")
    assert done.returncode == 1
    assert "cannot reach the database" in done.stderr
    assert "Traceback" not in done.stderr
