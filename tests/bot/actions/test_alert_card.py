"""The alert card: what a message shows and offers in each state, decided once for every platform (pure, no DB)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from earshot.bot.actions.alert_card import (
    FREE_ACTIONS,
    Act,
    Choice,
    action_for,
    alert_card,
    find_choice,
    outcome_deed,
    outcome_name,
)
from earshot.bot.domain import Alert, Conversation, Outcome, OutcomeKind, Summary

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ALICE, BOB = "U0ALICE01", "U0BOB0001"
THREAD = Conversation(
    source="hackernews",
    external_id="1",
    url="https://news.ycombinator.com/item?id=1",
    title="Which vector database?",
    text="We use pgvector today.",
    link="https://example.com/post",
)
ALERT = Alert(1, "vector-db", None, THREAD, ("pgvector",), 72, T0, reasons=("asks for a recommendation",))
CLAIMED = replace(ALERT, claimed_by=ALICE, claimed_at=T0)
CHOICES = [
    Choice(kind, None, words)
    for kind, words in [
        (OutcomeKind.REPLIED, "replied"),
        (OutcomeKind.GOT_RESPONSE, "got a response"),
        (OutcomeKind.LEAD, "lead"),
        (OutcomeKind.NOT_WORTH_IT, "not worth it"),
        (OutcomeKind.NOT_RELEVANT, "not relevant"),
        (OutcomeKind.SIGNUP, "sign-up"),
        (OutcomeKind.BUG_REPORT, "bug report"),
    ]
] + [Choice(OutcomeKind.CUSTOM, "partnership", "partnership")]


CLAIMED_OFFER = [
    *("outcome:replied", "outcome:got_response", "outcome:lead", "outcome:not_worth_it"),
    *("note", "release", "not_relevant"),
]


def said(kind: OutcomeKind, actor: str = BOB, label: str | None = None) -> Outcome:
    return Outcome(1, kind, actor, T0 + timedelta(hours=1), label=label)


@pytest.mark.parametrize(
    ("name", "alert", "outcomes", "offered", "closed"),
    [
        ("free", ALERT, [], ["claim", "not_relevant"], False),
        ("free, with a note", ALERT, [said(OutcomeKind.NOTE)], ["claim", "not_relevant"], False),
        ("dismissed by anyone", ALERT, [said(OutcomeKind.NOT_RELEVANT)], [], True),
        ("claimed", CLAIMED, [], CLAIMED_OFFER, False),
        (
            "claimed after a dismissal",
            CLAIMED,
            [said(OutcomeKind.NOT_RELEVANT)],
            CLAIMED_OFFER,
            False,
        ),
        (
            "claimed, outcome recorded",
            CLAIMED,
            [said(OutcomeKind.LEAD, ALICE)],
            CLAIMED_OFFER,
            False,
        ),
    ],
)
def test_the_actions_offered_follow_the_state(
    name: str, alert: Alert, outcomes: list[Outcome], offered: list[str], closed: bool
) -> None:
    card = alert_card(alert, outcomes, choices=CHOICES)
    assert [a.id for a in card.actions] == [f"earshot:{o}" for o in offered], name
    assert card.closed is closed, name


@pytest.mark.parametrize(
    ("alert", "menu"),
    [
        (ALERT, []),  # a free alert has no menu: its outcomes wait for a claim
        (CLAIMED, ["not_relevant", "signup", "bug_report", "custom:partnership"]),  # beyond the quick buttons
    ],
)
def test_the_menu_holds_the_teams_outcomes_beyond_the_quick_buttons_once_claimed(alert: Alert, menu: list[str]) -> None:
    assert [c.value for c in alert_card(alert, choices=CHOICES).menu] == menu


@pytest.mark.parametrize(
    ("alert", "outcomes"),
    [
        (ALERT, []),
        (CLAIMED, []),
        (CLAIMED, [said(OutcomeKind.REPLIED, ALICE)]),
        (ALERT, [said(OutcomeKind.NOT_RELEVANT)]),
    ],
)
def test_the_progress_line_is_kept_in_every_state(alert: Alert, outcomes: list[Outcome]) -> None:
    line = "U0ALICE01 replied 2 h after the post · 3 responses"
    assert alert_card(alert, outcomes, line, CHOICES).progress == line


def test_the_state_says_who_claimed_when_what_was_recorded_and_whether_it_was_dismissed() -> None:
    outcomes = [said(OutcomeKind.NOT_RELEVANT), said(OutcomeKind.CUSTOM, ALICE, "partnership")]
    card = alert_card(CLAIMED, outcomes)
    assert (card.claimed_by, card.claimed_at, card.not_relevant) == (ALICE, T0, True)
    assert [(s.actor, s.name, s.deed) for s in card.outcomes] == [
        (BOB, "not relevant", "marked it not relevant"),
        (ALICE, "partnership", "recorded “partnership”"),
    ]


@pytest.mark.parametrize(
    ("kind", "label", "name", "deed"),
    [
        (OutcomeKind.REPLIED, None, "replied", "replied"),
        (OutcomeKind.LEAD, None, "lead", "found a lead"),
        (OutcomeKind.NOT_WORTH_IT, None, "not worth it", "found it not worth it"),
        (OutcomeKind.NOTE, None, "note", "noted"),
        (OutcomeKind.SIGNUP, None, "sign-up", "got a sign-up"),
        (OutcomeKind.CUSTOM, "talk", "talk", "recorded “talk”"),
        (OutcomeKind.CUSTOM, None, "other", "recorded"),
        (OutcomeKind.LEAD, "ignored", "lead", "found a lead"),  # only a custom outcome has a label
    ],
)
def test_an_outcome_has_a_name_and_a_deed(kind: OutcomeKind, label: str | None, name: str, deed: str) -> None:
    assert (outcome_name(kind, label), outcome_deed(kind, label)) == (name, deed)


@pytest.mark.parametrize(
    ("action_id", "meaning"),
    [
        ("earshot:claim", (Act.CLAIM, None)),
        ("earshot:release", (Act.RELEASE, None)),
        ("earshot:not_relevant", (Act.NOT_RELEVANT, None)),
        ("earshot:note", (Act.NOTE, None)),
        ("earshot:outcome:replied", (Act.OUTCOME, OutcomeKind.REPLIED)),
        ("earshot:outcome:got_response", (Act.OUTCOME, OutcomeKind.GOT_RESPONSE)),
        ("earshot:outcome:lead", (Act.OUTCOME, OutcomeKind.LEAD)),
        ("earshot:outcome:not_worth_it", (Act.OUTCOME, OutcomeKind.NOT_WORTH_IT)),
        ("earshot:outcome:signup", None),  # offered in the menu, never as a button
        ("earshot:outcome:", None),
        ("earshot:claim:42", None),  # the platform strips the alert id first
        ("earshot:open", None),
        ("claim", None),
        ("", None),
    ],
)
def test_an_action_id_reads_back_as_what_it_was_drawn_for(
    action_id: str, meaning: tuple[Act, OutcomeKind | None] | None
) -> None:
    action = action_for(action_id)
    assert (None if action is None else (action.act, action.kind)) == meaning
    if action is not None:
        assert action.id == action_id


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("signup", Choice(OutcomeKind.SIGNUP, None, "sign-up")),
        ("not_relevant", Choice(OutcomeKind.NOT_RELEVANT, None, "not relevant")),
        ("custom:partnership", Choice(OutcomeKind.CUSTOM, "partnership", "partnership")),
        ("custom:podcast", None),  # a menu drawn before the team's outcomes changed
        ("custom", None),
        ("note", None),
    ],
)
def test_a_menu_value_reads_back_as_the_choice_offered(value: str, found: Choice | None) -> None:
    assert find_choice(value, CHOICES) == found
    if found is not None:
        assert found.value == value


@pytest.mark.parametrize(
    ("choice", "title"),
    [
        (Choice(OutcomeKind.SIGNUP, None, "sign-up"), "Sign-up"),
        (Choice(OutcomeKind.CUSTOM, "partnership talk", "partnership talk"), "partnership talk"),
    ],
)
def test_a_choice_is_titled_for_a_menu(choice: Choice, title: str) -> None:
    assert choice.title == title


def test_the_facts_come_from_the_alert_and_the_context_from_its_summary_or_its_text() -> None:
    card = alert_card(ALERT)
    assert (card.title, card.url, card.link, card.source, card.topic, card.score) == (
        "Which vector database?",
        THREAD.url,
        "https://example.com/post",
        "hackernews",
        "vector-db",
        72,
    )
    assert (card.reasons, card.question, card.said, card.summarised) == (
        ("asks for a recommendation",),
        "We use pgvector today.",
        (),
        False,
    )
    summed = alert_card(replace(ALERT, summary=Summary("Which one?", ("Try pgvector",))))
    assert (summed.question, summed.said, summed.summarised) == ("Which one?", ("Try pgvector",), True)
    same = replace(ALERT, conversation=replace(THREAD, link=THREAD.url))
    assert alert_card(same).link is None  # a link to the thread itself is no fact of its own


def test_a_just_delivered_alert_offers_what_a_free_one_does() -> None:
    assert alert_card(ALERT).actions == FREE_ACTIONS
