"""Claims and outcomes through the Claims service on the real store, and the pure rules behind them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.actions.claims import Claims, may_record, may_release
from earshot.bot.domain import Alert, ClaimResult, Conversation, Outcome, OutcomeKind
from earshot.bot.errors import NotAllowed, NotFound
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0, Clock

MINUTE = timedelta(minutes=1)
MISSING = 10**6
HOLDER_ONLY = [
    OutcomeKind.REPLIED,
    OutcomeKind.GOT_RESPONSE,
    OutcomeKind.LEAD,
    OutcomeKind.NOT_WORTH_IT,
    OutcomeKind.NOTE,
]


async def an_alert(store: MemoryStore) -> int:
    """Store one conversation and one pending alert for it; return the alert's id."""
    async with store.unit() as unit:
        [(conversation_id, _)] = await unit.insert_conversations(
            [Conversation("fake", "1", "https://forum.example.com/t/1", "Postgres tips")], "forum", T0
        )
        await unit.insert_alerts([NewAlert(conversation_id, "databases", None, ("postgres",), 60)], T0)
        [alert] = await unit.list_alerts()
    return alert.id


async def holder(store: MemoryStore, alert_id: int) -> str | None:
    async with store.unit() as unit:
        alert = await unit.get_alert(alert_id)
    assert alert is not None
    return alert.claimed_by


async def outcomes(store: MemoryStore, alert_id: int) -> list[Outcome]:
    async with store.unit() as unit:
        return await unit.list_outcomes(alert_id)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def claims(store: MemoryStore, clock: Clock) -> Claims:
    return Claims(store, clock)


async def test_the_first_claimer_wins_and_the_next_learns_who(store: MemoryStore, claims: Claims, clock: Clock) -> None:
    alert_id = await an_alert(store)

    assert await claims.claim(alert_id, "ana") == ClaimResult(alert_id, won=True, holder="ana", claimed_at=T0)
    clock.advance(MINUTE)
    assert await claims.claim(alert_id, "bo") == ClaimResult(alert_id, won=False, holder="ana", claimed_at=T0)
    assert await holder(store, alert_id) == "ana"


async def test_claiming_again_what_one_holds_is_a_win_that_changes_nothing(
    store: MemoryStore, claims: Claims, clock: Clock
) -> None:
    alert_id = await an_alert(store)
    await claims.claim(alert_id, "ana")

    clock.advance(MINUTE)
    assert await claims.claim(alert_id, "ana") == ClaimResult(alert_id, won=True, holder="ana", claimed_at=T0)


async def test_of_ten_claimers_at_once_exactly_one_wins_and_all_see_the_same_holder(
    make_store: Callable[[], MemoryStore], clock: Clock
) -> None:
    stores = [make_store() for _ in range(10)]
    alert_id = await an_alert(stores[0])
    people = [f"person-{n}" for n in range(10)]

    results = await asyncio.gather(
        *(Claims(s, clock).claim(alert_id, who) for s, who in zip(stores, people, strict=True))
    )

    winners = [result.holder for result in results if result.won]
    assert len(winners) == 1
    assert {result.holder for result in results} == {winners[0]}
    assert await holder(stores[0], alert_id) == winners[0]


async def test_claiming_a_missing_alert_is_not_found(claims: Claims) -> None:
    with pytest.raises(NotFound, match=f"alert {MISSING} does not exist"):
        await claims.claim(MISSING, "ana")


async def test_the_holder_releases_and_someone_else_may_claim(store: MemoryStore, claims: Claims) -> None:
    alert_id = await an_alert(store)
    await claims.claim(alert_id, "ana")

    await claims.release(alert_id, "ana")

    assert await holder(store, alert_id) is None
    assert (await claims.claim(alert_id, "bo")).won


async def test_someone_else_cannot_release_and_is_told_who_holds_it(store: MemoryStore, claims: Claims) -> None:
    alert_id = await an_alert(store)
    await claims.claim(alert_id, "ana")

    with pytest.raises(NotAllowed, match="ana has claimed it; only they \\(or a moderator\\) can release it"):
        await claims.release(alert_id, "bo")
    assert await holder(store, alert_id) == "ana"


async def test_a_moderator_releases_anyones_claim(store: MemoryStore, claims: Claims) -> None:
    alert_id = await an_alert(store)
    await claims.claim(alert_id, "ana")

    await claims.release(alert_id, "lead", moderator=True)

    assert await holder(store, alert_id) is None


async def test_releasing_an_unclaimed_alert_is_refused(store: MemoryStore, claims: Claims) -> None:
    alert_id = await an_alert(store)

    with pytest.raises(NotAllowed, match="nobody has claimed it"):
        await claims.release(alert_id, "ana")


async def test_releasing_a_missing_alert_is_not_found(claims: Claims) -> None:
    with pytest.raises(NotFound, match=f"there is no alert {MISSING}"):
        await claims.release(MISSING, "ana")


async def test_an_outcome_needs_a_claim_first(store: MemoryStore, claims: Claims) -> None:
    alert_id = await an_alert(store)

    with pytest.raises(NotAllowed, match="claim it first"):
        await claims.record_outcome(alert_id, "ana", OutcomeKind.REPLIED)
    assert await outcomes(store, alert_id) == []


@pytest.mark.parametrize("kind", HOLDER_ONLY)
async def test_only_the_claimer_records_how_it_went(store: MemoryStore, claims: Claims, kind: OutcomeKind) -> None:
    alert_id = await an_alert(store)
    await claims.claim(alert_id, "ana")

    with pytest.raises(NotAllowed, match=f"cannot record {kind.value} on alert {alert_id}: ana has claimed it"):
        await claims.record_outcome(alert_id, "bo", kind)
    recorded = await claims.record_outcome(alert_id, "ana", kind, "first try")

    assert recorded == Outcome(alert_id, kind, "ana", T0, "first try")
    assert await outcomes(store, alert_id) == [recorded]


@pytest.mark.parametrize("kind", HOLDER_ONLY)
async def test_a_moderator_records_for_a_claimed_alert(store: MemoryStore, claims: Claims, kind: OutcomeKind) -> None:
    alert_id = await an_alert(store)
    await claims.claim(alert_id, "ana")

    recorded = await claims.record_outcome(alert_id, "lead", kind, moderator=True)

    assert await outcomes(store, alert_id) == [recorded]
    assert recorded.actor == "lead"


async def test_anyone_may_say_an_alert_is_not_relevant(store: MemoryStore, claims: Claims, clock: Clock) -> None:
    alert_id = await an_alert(store)

    unclaimed = await claims.record_outcome(alert_id, "bo", OutcomeKind.NOT_RELEVANT)
    await claims.claim(alert_id, "ana")
    clock.advance(MINUTE)
    claimed_by_another = await claims.record_outcome(alert_id, "cy", OutcomeKind.NOT_RELEVANT, "it is about MySQL")

    assert await outcomes(store, alert_id) == [unclaimed, claimed_by_another]


async def test_outcomes_are_listed_back_in_order_with_their_notes(
    store: MemoryStore, claims: Claims, clock: Clock
) -> None:
    alert_id = await an_alert(store)
    await claims.claim(alert_id, "ana")
    steps = [
        (OutcomeKind.REPLIED, None),
        (OutcomeKind.NOTE, "asked which extensions they use"),
        (OutcomeKind.GOT_RESPONSE, "they answered within the hour"),
        (OutcomeKind.LEAD, "wants a demo"),
    ]
    recorded = []
    for kind, note in steps:
        clock.advance(MINUTE)
        recorded.append(await claims.record_outcome(alert_id, "ana", kind, note))

    listed = await outcomes(store, alert_id)

    assert listed == recorded
    assert [(o.kind, o.note, o.at) for o in listed] == [
        (kind, note, T0 + (n + 1) * MINUTE) for n, (kind, note) in enumerate(steps)
    ]


async def test_recording_on_a_missing_alert_is_not_found(claims: Claims) -> None:
    with pytest.raises(NotFound, match=f"there is no alert {MISSING}"):
        await claims.record_outcome(MISSING, "ana", OutcomeKind.NOT_RELEVANT)


def alert(claimed_by: str | None) -> Alert:
    conversation = Conversation("fake", "1", "https://forum.example.com/t/1", "Postgres tips")
    return Alert(1, "databases", None, conversation, ("postgres",), 60, T0, claimed_by=claimed_by)


CLAIM_FIRST = "claim it first: outcomes are recorded by whoever joined the conversation"
ANA_RECORDS = "ana has claimed it; only they (or a moderator) record how it went"


@pytest.mark.parametrize(
    ("claimed_by", "actor", "kind", "moderator", "reason"),
    [
        (None, "ana", OutcomeKind.REPLIED, False, CLAIM_FIRST),
        (None, "ana", OutcomeKind.NOTE, False, CLAIM_FIRST),
        (None, "ana", OutcomeKind.NOT_RELEVANT, False, None),
        (None, "lead", OutcomeKind.LEAD, True, None),
        ("ana", "ana", OutcomeKind.REPLIED, False, None),
        ("ana", "ana", OutcomeKind.GOT_RESPONSE, False, None),
        ("ana", "ana", OutcomeKind.LEAD, False, None),
        ("ana", "ana", OutcomeKind.NOT_WORTH_IT, False, None),
        ("ana", "ana", OutcomeKind.NOTE, False, None),
        ("ana", "bo", OutcomeKind.REPLIED, False, ANA_RECORDS),
        ("ana", "bo", OutcomeKind.NOTE, False, ANA_RECORDS),
        ("ana", "bo", OutcomeKind.NOT_WORTH_IT, False, ANA_RECORDS),
        ("ana", "bo", OutcomeKind.NOT_RELEVANT, False, None),
        ("ana", "lead", OutcomeKind.GOT_RESPONSE, True, None),
        ("ana", "Ana", OutcomeKind.REPLIED, False, ANA_RECORDS),  # names compare exactly
    ],
)
def test_may_record(claimed_by: str | None, actor: str, kind: OutcomeKind, moderator: bool, reason: str | None) -> None:
    assert may_record(alert(claimed_by), actor, kind, moderator=moderator) == reason


ANA_RELEASES = "ana has claimed it; only they (or a moderator) can release it"


@pytest.mark.parametrize(
    ("claimed_by", "actor", "moderator", "reason"),
    [
        (None, "ana", False, "nobody has claimed it"),
        (None, "lead", True, "nobody has claimed it"),
        ("ana", "ana", False, None),
        ("ana", "bo", False, ANA_RELEASES),
        ("ana", "lead", True, None),
        ("ana", "ana", True, None),
    ],
)
def test_may_release(claimed_by: str | None, actor: str, moderator: bool, reason: str | None) -> None:
    assert may_release(alert(claimed_by), actor, moderator=moderator) == reason
