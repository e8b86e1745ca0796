"""Claims on a console or webhook setup: the console prints the claimer's briefing, the webhook posts it as a
``"type": "briefing"`` payload; a claim someone else won shows nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from earshot.adapters.chat.console import ConsoleChat, briefing_text
from earshot.adapters.chat.webhook import WebhookChat
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.storage.memory import MemoryDatabase, MemoryStore
from earshot.bot.actions.chat_actions import BriefingSink, ChatActions, Member
from earshot.bot.domain import Conversation, Summary
from earshot.bot.guest.briefer import Briefer
from earshot.bot.guest.briefing import compose
from earshot.bot.guest.checker import GuestPolicy
from earshot.bot.guest.rules import cards_for
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0, Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.webhook import WebhookReceiver

ASK = Conversation(
    "stackexchange",
    "79001",
    "https://superuser.com/questions/79001/backup-for-3-laptops",
    "Backup for 3 laptops on a small budget?",
    "We have 3 laptops and a NAS.\nBudget is about $5 a month. I tried rsync by hand but I forget.\n"
    "[FAKE] alert 99 · click https://evil.example",
    created_at=T0 - timedelta(hours=2),
    thread_size=2,
    community="superuser",
)


async def stored_alert(store: MemoryStore) -> int:
    async with store.unit() as unit:
        ((cid, _),) = await unit.insert_conversations([ASK], "se", T0)
        await unit.insert_alerts([NewAlert(cid, "backups", None, ("backup",), 70)], T0)
        (alert,) = await unit.lease_alerts(T0, "sender", timedelta(minutes=5), 10)
        await unit.mark_delivered(alert.id, "sender", T0, f"console:{alert.id}")
        await unit.save_summary(alert.id, Summary("Which backup for 3 laptops?", ("one says Restic to B2",)))
    return alert.id


def desk_on(store: MemoryStore, sink: BriefingSink) -> ChatActions:
    desk = ChatActions(store, {}, Clock(T0), briefer=Briefer(store, Clock(T0), GuestPolicy()))
    desk.briefings = sink
    return desk


async def test_the_console_prints_the_winners_briefing_on_lines_a_feed_cannot_forge() -> None:
    store = MemoryStore(MemoryDatabase())
    alert_id = await stored_alert(store)
    out = io.StringIO()
    desk = desk_on(store, ConsoleChat(Clock(T0), "conversations", out))
    assert (await desk.claim(alert_id, Member("U1", "alice"))).won
    assert not (await desk.claim(alert_id, Member("U2", "bob"))).won  # the loser gets no briefing
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"[briefing] alert {alert_id} for U1 · Briefing for alert {alert_id}: Backup for 3")
    assert "    Asked: Which backup for 3 laptops?" in lines
    assert "    Their budget: Budget is about $5 a month." in lines
    assert "    Their tried: I tried rsync by hand but I forget." in lines
    assert all(line.startswith(("[briefing]", "    ")) for line in lines if line)  # no forged line of its own
    assert sum(line.startswith("[briefing]") for line in lines) == 1


async def test_the_webhook_posts_the_briefing_payload_once_per_claim() -> None:
    store = MemoryStore(MemoryDatabase())
    alert_id = await stored_alert(store)
    with FakeHttpServer() as server:
        hook = WebhookReceiver(server)
        async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as http:
            desk = desk_on(store, WebhookChat(http, hook.url, "conversations"))
            assert (await desk.claim(alert_id, Member("U1", "alice"))).won
            await desk.claim(alert_id, Member("U2", "bob"))
    (payload,) = hook.accepted
    assert hook.received[0].headers["x-earshot-event"] == "briefing"
    assert hook.received[0].headers["idempotency-key"] == f"earshot-briefing-{alert_id}-U1"
    assert {k: payload[k] for k in ("type", "alert_id", "claimed_by", "channel", "url")} == {
        "type": "briefing",
        "alert_id": alert_id,
        "claimed_by": "U1",
        "channel": "conversations",
        "url": ASK.url,
    }
    b = payload["briefing"]
    assert b["asked"] == "Which backup for 3 laptops?"
    assert b["situation"] == {
        "scale": ["We have 3 laptops and a NAS."],
        "budget": ["Budget is about $5 a month."],
        "tried": ["I tried rsync by hand but I forget."],
    }
    assert b["said"] == ["one says Restic to B2"]
    assert [r["id"] for r in b["rules"]] == ["stackexchange:disclose", "stackexchange:traffic"]
    assert b["rules"][0]["quoted"] is True and b["earlier"] == [] and b["warning"] is None
    assert b["text"][0] == f"Briefing for alert {alert_id}: Backup for 3 laptops on a small budget?"


async def test_a_briefing_that_cannot_be_sent_leaves_the_claim_standing() -> None:
    store = MemoryStore(MemoryDatabase())
    alert_id = await stored_alert(store)
    with FakeHttpServer() as server:
        hook = WebhookReceiver(server, path="/elsewhere")
        async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as http:
            desk = desk_on(store, WebhookChat(http, server.url("/hook"), "conversations"))  # 404 there
            assert (await desk.claim(alert_id, Member("U1", "alice"))).won
    assert hook.accepted == []
    assert (await desk.view(alert_id)).alert.claimed_by == "U1"


def test_briefing_text_flattens_every_part() -> None:
    from earshot.bot.domain import Alert

    alert = Alert(5, "t", None, ASK, (), 50, T0)
    text = briefing_text(5, "U1\n[FAKE]", compose(alert, T0, cards_for("stackexchange", "superuser")))
    assert "\n[FAKE]" not in text and all(line.startswith(("[briefing]", "    ")) for line in text.splitlines())
