"""Posting alerts through the real slack_sdk client to the fake Slack: one message per alert, whatever happens."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from earshot.adapters.chat.slack.poster import SlackPoster, parse_ref
from earshot.adapters.chat.slack.render import alert_blocks, fallback_text
from earshot.bot.actions.alert_card import alert_card
from earshot.bot.domain import Alert
from earshot.bot.errors import DeliveryError
from tests.fakes.clock import Clock
from tests.fakes.slack import BOT_TOKEN, Failure, FakeSlack

from .conftest import QUESTION, T0, make_alert, mrkdwn_texts


def poster_for(slack: FakeSlack, clock: Clock, timeout: int = 15) -> SlackPoster:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[], timeout=timeout)
    return SlackPoster(client, clock)


async def post(poster: SlackPoster, alert: Alert, channel: str = "conversations") -> str:
    return await poster.post(
        alert, alert.channel or channel, fallback_text(alert_card(alert)), alert_blocks(alert_card(alert), T0)
    )


async def test_an_alert_is_posted_with_its_blocks_and_metadata_and_returns_channel_and_ts(slack: FakeSlack) -> None:
    ref = await post(poster_for(slack, Clock()), make_alert())
    ts = f"{slack.epoch}.000001"
    assert ref == f"C0ALERTS1:{ts}"
    assert parse_ref(ref) == ("C0ALERTS1", ts)
    (call,) = slack.called("chat.postMessage")
    assert call.args["channel"] == "C0ALERTS1"
    assert call.args["metadata"] == {"event_type": "earshot_alert", "event_payload": {"alert_id": 42}}
    assert call.args["unfurl_links"] is False
    stored = slack.message("C0ALERTS1", ts)
    assert stored["blocks"][0]["text"]["text"].startswith("*<https://news.ycombinator.com/item?id=9003|Ask HN:")
    assert stored["text"] == "Earshot · vector-db: Ask HN: Which vector database do you run in production?"


async def test_channel_names_are_resolved_once_and_ids_used_as_is(slack: FakeSlack) -> None:
    poster = poster_for(slack, Clock())
    await post(poster, make_alert(1, channel="#vector-db"))
    await post(poster, make_alert(2, channel="vector-db"))
    await post(poster, make_alert(3, channel="C0ALERTS1"))
    assert len(slack.called("conversations.list")) == 1
    assert [c.args["channel"] for c in slack.called("chat.postMessage")] == ["C0VECTOR1", "C0VECTOR1", "C0ALERTS1"]


async def test_a_title_with_a_channel_ping_is_posted_without_the_ping(slack: FakeSlack) -> None:
    hostile = QUESTION.__class__(
        source="rss", external_id="x", url="https://e.com/x", title="<!channel> urgent <@U0BOB0001>", text="<!here>"
    )
    ref = await post(poster_for(slack, Clock()), make_alert(conversation=hostile, summary=None))
    channel, ts = ref.split(":")
    stored = slack.message(channel, ts)
    marked_up = [stored["text"], *mrkdwn_texts(stored["blocks"])]  # plain_text never pings
    for text in marked_up:
        assert "<!channel>" not in text and "<!here>" not in text and "<@U0BOB0001>" not in text
    assert "&lt;!channel&gt; urgent &lt;@U0BOB0001&gt;" in json.dumps(marked_up)


async def test_a_retry_after_an_unknown_result_reuses_the_message_instead_of_posting_again(slack: FakeSlack) -> None:
    poster = poster_for(slack, Clock())
    alert = make_alert()
    slack.fail("chat.postMessage", Failure(status=503, body="upstream timed out", after=True))
    with pytest.raises(DeliveryError) as failed:
        await post(poster, alert)
    assert not failed.value.permanent
    assert len(slack.channels["C0ALERTS1"].messages) == 1  # Slack did post it
    # The outbox retries later, with one attempt counted, possibly from another process.
    for retrying in (poster, poster_for(slack, Clock())):
        ref = await post(retrying, Alert(**{**_fields(alert), "attempts": 1}))
        assert ref == f"C0ALERTS1:{slack.epoch}.000001"
    assert len(slack.channels["C0ALERTS1"].messages) == 1
    assert len(slack.called("chat.postMessage")) == 1
    assert slack.called("conversations.history")[0].args["include_all_metadata"] in ("1", "true", True)


async def test_a_retry_after_a_clear_failure_posts_once(slack: FakeSlack) -> None:
    poster = poster_for(slack, Clock())
    alert = make_alert()
    slack.fail("chat.postMessage", Failure(status=500))
    with pytest.raises(DeliveryError):
        await post(poster, alert)
    assert slack.channels["C0ALERTS1"].messages == []
    ref = await post(poster, Alert(**{**_fields(alert), "attempts": 1}))
    assert ref == f"C0ALERTS1:{slack.epoch}.000001"
    assert len(slack.channels["C0ALERTS1"].messages) == 1


async def test_a_timeout_then_a_retry_does_not_double_the_message(slack: FakeSlack) -> None:
    poster = poster_for(slack, Clock(), timeout=1)
    slack.fail("chat.postMessage", Failure(after=True, delay=3))  # posted, but the answer comes too late
    with pytest.raises(DeliveryError) as failed:
        await post(poster, make_alert())
    assert not failed.value.permanent and "no answer" in str(failed.value)
    await post(poster, make_alert())  # same process, before the outbox counted the attempt: still looks first
    assert len(slack.channels["C0ALERTS1"].messages) == 1
    assert len(slack.called("chat.postMessage")) == 1


async def test_429_maps_to_retry_after_and_pauses_only_that_channel(slack: FakeSlack) -> None:
    clock = Clock()
    poster = poster_for(slack, clock)
    slack.fail("chat.postMessage", Failure(status=429, error="ratelimited", headers={"Retry-After": "7"}))
    with pytest.raises(DeliveryError) as limited:
        await post(poster, make_alert(1))
    assert limited.value.retry_after == 7 and not limited.value.permanent
    with pytest.raises(DeliveryError) as paused:
        await post(poster, make_alert(2))
    assert paused.value.retry_after is not None and 0 < paused.value.retry_after <= 7
    assert len(slack.called("chat.postMessage")) == 1  # the paused channel was not asked again
    await post(poster, make_alert(3, channel="vector-db"))  # other channels carry on
    clock.advance(timedelta(seconds=8))
    ref = await post(poster, make_alert(1))
    assert ref.startswith("C0ALERTS1:")
    assert [c.args["channel"] for c in slack.called("chat.postMessage")] == ["C0ALERTS1", "C0VECTOR1", "C0ALERTS1"]


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("nowhere", "there is no channel #nowhere the bot can see"),
        ("locked", "not_in_channel posting to #locked: invite the bot to the channel: type /invite @Earshot"),
        ("C0OLD0001", "is_archived posting to C0OLD0001: the channel is archived"),
        ("C0GONE001", "channel_not_found posting to C0GONE001: check the channel name"),
    ],
)
async def test_a_channel_that_cannot_work_is_a_permanent_error_naming_it_and_the_fix(
    slack: FakeSlack, channel: str, expected: str
) -> None:
    with pytest.raises(DeliveryError) as failed:
        await post(poster_for(slack, Clock()), make_alert(channel=channel))
    assert failed.value.permanent
    assert expected in str(failed.value)


async def test_a_revoked_token_is_permanent_and_never_shown(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", Failure(error="token_revoked"))
    with pytest.raises(DeliveryError) as failed:
        await post(poster_for(slack, Clock()), make_alert(channel="C0ALERTS1"))
    assert failed.value.permanent and "reinstall the app" in str(failed.value)
    assert BOT_TOKEN not in str(failed.value)


def _fields(alert: Alert) -> dict[str, object]:
    return {name: getattr(alert, name) for name in alert.__dataclass_fields__}


def test_refs_that_are_not_slack_messages_are_refused() -> None:
    assert parse_ref("console:42") is None
    assert parse_ref(None) is None
    assert parse_ref("C0123ABC:") is None
    assert T0  # keeps the shared instant imported for the helpers above
