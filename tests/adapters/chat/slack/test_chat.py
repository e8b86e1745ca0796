"""SlackChat behind the real outbox: throttling, unclear answers and broken channels, as the Deliverer sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.bot.actions.chat_actions import Member
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, Digest, Handle, Notice, Progress
from earshot.bot.errors import DeliveryError
from earshot.bot.followup.stats import DayCount, Report, Stats, StatsRow
from tests.adapters.chat.progress import thread_read
from tests.fakes.clock import T0
from tests.fakes.slack import Failure

from .conftest import Rig, make_alert, mrkdwn_texts

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database


async def test_a_429_is_waited_out_by_the_outbox_then_posted_once(rig: Rig) -> None:
    rig.slack.fail("chat.postMessage", Failure(status=429, error="ratelimited", headers={"Retry-After": "30"}))
    await rig.store_alert()
    deliverer = Deliverer(rig.store, rig.chat, rig.clock, "test")
    first = await deliverer.deliver()
    assert (first.delivered, first.failed) == (0, 1)
    assert "rate limited" in first.errors[0]
    assert (await deliverer.deliver()).delivered == 0  # not due yet: Retry-After is honoured
    rig.clock.advance(timedelta(seconds=31))
    report = await deliverer.deliver()
    assert report.delivered == 1
    assert len(rig.slack.channels["C0ALERTS1"].messages) == 1
    assert len(rig.slack.called("chat.postMessage")) == 2


async def test_an_unclear_answer_then_the_outbox_retry_posts_one_message(rig: Rig) -> None:
    rig.slack.fail("chat.postMessage", Failure(status=500, body="<html>oops</html>", after=True))
    await rig.store_alert()
    assert (await Deliverer(rig.store, rig.chat, rig.clock, "test").deliver()).failed == 1
    assert len(rig.slack.channels["C0ALERTS1"].messages) == 1
    rig.clock.advance(timedelta(hours=1))
    report = await Deliverer(rig.store, rig.chat, rig.clock, "other-process").deliver()
    assert report.delivered == 1
    assert len(rig.slack.channels["C0ALERTS1"].messages) == 1
    (message,) = rig.slack.channels["C0ALERTS1"].messages
    alert = await rig.desk.alert_for_message(f"C0ALERTS1:{message['ts']}")
    assert alert is not None and alert.message_ref == f"C0ALERTS1:{message['ts']}"


async def test_a_channel_the_bot_is_not_in_fails_permanently_with_the_fix(rig: Rig) -> None:
    await rig.store_alert(channel="locked")
    report = await Deliverer(rig.store, rig.chat, rig.clock, "test").deliver()
    assert (report.delivered, report.failed) == (0, 1)
    async with rig.store.unit() as unit:
        alert = await unit.get_alert(1)
    assert alert is not None and alert.message_ref is None
    assert alert.last_error is not None and "/invite @Earshot" in alert.last_error and "#locked" in alert.last_error


async def test_a_channel_that_refuses_posts_is_asked_once_and_keeps_its_other_alerts(rig: Rig) -> None:
    for n in (1, 2, 3):
        await rig.store_alert(n, channel="locked")
    report = await Deliverer(rig.store, rig.chat, rig.clock, "test").deliver()
    assert (report.delivered, report.failed) == (0, 1)
    posts = [c for c in rig.slack.called("chat.postMessage") if c.args.get("channel") != "C0ALERTS1"]
    assert len(posts) == 1  # one request to the broken channel, not one per alert
    async with rig.store.unit() as unit:
        kept = [await unit.get_alert(i) for i in (2, 3)]
    assert all(a is not None and a.state.value == "pending" and a.attempts == 0 for a in kept)


async def test_notices_and_digests_go_to_the_channel_escaped(rig: Rig) -> None:
    await rig.chat.send_notice(Notice("warning", "feed <!channel> failing", feed="hn"))
    first, second = make_alert(1, topic="<!here>"), make_alert(2)
    ref = await rig.chat.send_digest(Digest(None, (first, second), rig.clock() - timedelta(hours=1)))
    notice, digest = rig.slack.channels["C0ALERTS1"].messages
    assert notice["text"] == ":warning: feed &lt;!channel&gt; failing"
    assert ref == f"C0ALERTS1:{digest['ts']}"
    texts = mrkdwn_texts(digest["blocks"])
    assert any("<https://news.ycombinator.com/item?id=9003|" in t for t in texts)
    assert all("<!here>" not in t for t in [*texts, digest["text"]])


async def test_a_notice_to_a_channel_the_bot_left_says_how_to_fix_it(rig: Rig) -> None:
    rig.slack.channels["C0ALERTS1"].is_member = False
    with pytest.raises(DeliveryError) as failed:
        await rig.chat.send_notice(Notice("error", "feed hn failing"))
    assert failed.value.permanent
    assert "/invite @Earshot" in str(failed.value) and "#conversations" in str(failed.value)


def a_report() -> Report:
    total = StatsRow("", 12, 6, 3, 1, 2, timedelta(hours=1), {"replied": 3})
    stats = Stats(T0, T0 + timedelta(days=6), total, topics=(StatsRow("<!channel>", 12, 6, 3, 1, 2),))
    return Report("Earshot weekly report", stats, (DayCount(T0.date(), "db", 3, 1, 1),))


async def test_a_report_is_posted_with_its_chart_uploaded_in_the_thread(rig: Rig) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"chart" * 100
    ref = await rig.chat.send_report(a_report(), png)
    post, upload = rig.slack.channels["C0ALERTS1"].messages
    assert ref == f"C0ALERTS1:{post['ts']}"
    assert post["text"] == "Earshot weekly report"
    assert post["blocks"][0]["text"]["text"].startswith("Earshot weekly report\n")
    assert post["blocks"][0]["text"]["type"] == "plain_text"  # topic names are not mrkdwn: no ping
    assert upload["thread_ts"] == post["ts"]
    (file,) = upload["files"]
    assert (file["name"], file["title"], file["content"]) == ("earshot-report.png", "Earshot weekly report", png)


async def test_a_report_without_a_chart_is_text_alone(rig: Rig) -> None:
    await rig.chat.send_report(a_report(), None)
    assert len(rig.slack.channels["C0ALERTS1"].messages) == 1
    assert rig.slack.files == {}


async def claimed_and_read(rig: Rig, name: str) -> Alert:
    """A delivered alert Alice (named ``name`` in the team's handles) claimed, whose thread shows her reply."""
    alert = await rig.post_alert()
    await rig.desk.claim(alert.id, Member("U0ALICE01", "alice"))
    async with rig.store.unit() as unit:
        await unit.set_handles([Handle("U0ALICE01", "hackernews", "alice", name)], rig.clock())
    await thread_read(rig.store, alert.id, rig.clock(), "U0ALICE01")
    return (await rig.desk.view(alert.id)).alert


async def test_refresh_redraws_the_message_with_how_it_is_going(rig: Rig) -> None:
    alert = await claimed_and_read(rig, "Alice <!here>")
    await rig.chat.refresh(alert, Progress(None, (), "ignored: the stored state is drawn"))
    (message,) = rig.slack.channels["C0ALERTS1"].messages
    assert "edited" in message
    lines = mrkdwn_texts(message["blocks"])
    assert any(line.startswith("Alice &lt;!here&gt; replied ") and "· 3 responses" in line for line in lines), lines
    assert message["blocks"][-1]["type"] == "actions"


async def test_refresh_of_a_claimed_alert_keeps_its_outcome_menu_below_the_line(rig: Rig) -> None:
    rig.desk.custom_outcomes = ("conference talk",)
    alert = await claimed_and_read(rig, "Alice")
    await rig.chat.refresh(alert, Progress(None, (), ""))
    (message,) = rig.slack.channels["C0ALERTS1"].messages
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds[-3:] == ["context", "actions", "actions"]
    assert message["blocks"][-3]["elements"][0]["text"].startswith("Alice replied")
    (select,) = message["blocks"][-2]["elements"]
    assert select["type"] == "static_select"
    assert "custom:conference talk" in [o["value"] for o in select["options"]]


async def test_a_crash_between_posting_and_recording_does_not_post_twice(rig: Rig) -> None:
    await rig.store_alert()
    async with rig.store.unit() as unit:
        [alert] = await unit.lease_alerts(rig.clock(), "crashed-process", timedelta(seconds=60), 10)
    assert not alert.retaken
    first = await rig.chat.send_alert(alert)  # posted; then the process died before marking it delivered
    rig.clock.advance(timedelta(seconds=61))
    report = await Deliverer(rig.store, rig.chat, rig.clock, "next-process").deliver()
    assert report.delivered == 1
    assert len(rig.slack.channels["C0ALERTS1"].messages) == 1  # found in the channel's history, not posted again
    assert len(rig.slack.called("conversations.history")) == 1
    async with rig.store.unit() as unit:
        stored = await unit.get_alert(alert.id)
    assert stored is not None and stored.message_ref == first
