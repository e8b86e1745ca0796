"""Language: an item the team (or the topic) does not read is held with the reason in plain words; the source's
declared language comes first; a guess decides only when it is confident; each text is read once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from earshot.bot.domain import Conversation, DeliveryState, Match, Topic
from earshot.bot.finding import language
from earshot.bot.finding.explain import explain_item
from earshot.bot.finding.language import language_hold, language_name, language_of, unreadable
from earshot.bot.finding.polling import decide
from earshot.bot.finding.scoring import ReasonKind, ScoringPolicy
from earshot.bot.ports import StoredConversation

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def post(title: str, text: str, declared: str | None = None) -> Conversation:
    return Conversation(
        "mastodon" if declared else "hackernews",
        title[:30],
        f"https://example.com/{abs(hash(title))}",
        title,
        text,
        author="someone",
        created_at=T0 - timedelta(minutes=30),
        thread_size=0,
        language=declared,
    )


ENGLISH = post(
    "Which Postgres connection pooler should we use?",
    "We run pgbouncer in front of a busy database and it keeps timing out under load. Any advice?",
)
GERMAN = post(
    "Welcher Connection Pooler für Postgres?",
    "Wir betreiben pgbouncer vor einer stark ausgelasteten Datenbank und bekommen ständig Zeitüberschreitungen. "
    "Hat jemand einen Rat, was wir einstellen sollten?",
)
SPANISH = post(
    "¿Qué pooler de conexiones para Postgres?",
    "Usamos pgbouncer delante de una base de datos muy cargada y se agota el tiempo de espera constantemente.",
)
SHORT = post("Postgres at scale", "")
TEAM = ScoringPolicy(languages=frozenset({"en"}))
MATCH = Match(("postgres",), True, 1)


def test_an_item_in_another_language_is_held_with_the_reason_in_plain_words() -> None:
    topic = Topic("pg", "postgres", min_score=0)
    result, state = decide(GERMAN, topic, MATCH, T0, TEAM)
    assert state is DeliveryState.BELOW_MIN  # held even at min_score 0
    [reason] = result.reasons
    assert (reason.label, reason.kind) == ("written in German (de); the team reads en", ReasonKind.LANGUAGE)
    assert result.value == 0
    english, state = decide(ENGLISH, topic, MATCH, T0, TEAM)
    assert state is DeliveryState.PENDING and english.value > 0


def test_a_topics_own_languages_replace_the_teams() -> None:
    german_topic = Topic("pg-de", "postgres", min_score=0, languages=("de",))
    _, state = decide(GERMAN, german_topic, MATCH, T0, TEAM)
    assert state is DeliveryState.PENDING
    result, state = decide(SPANISH, german_topic, MATCH, T0, TEAM)
    assert state is DeliveryState.BELOW_MIN
    assert result.reasons[0].label == "written in Spanish (es); this topic reads de"
    both = Topic("pg", "postgres", min_score=0, languages=("EN", "es"))
    assert decide(SPANISH, both, MATCH, T0, TEAM)[1] is DeliveryState.PENDING


def test_without_languages_anywhere_every_language_is_read_and_nothing_is_detected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never(sample: str) -> None:
        raise AssertionError("language detected with no languages set")

    monkeypatch.setattr(language, "_ranked", never)
    assert decide(GERMAN, Topic("pg", "postgres", min_score=0), MATCH, T0, ScoringPolicy())[1] is DeliveryState.PENDING


def test_the_sources_declared_language_comes_first() -> None:
    says_english = post(GERMAN.title, GERMAN.text, declared="en-US")
    assert language_of(says_english) == "en"
    assert unreadable(says_english, {"en"}) is None
    says_french = post(ENGLISH.title, ENGLISH.text, declared="fr")
    assert unreadable(says_french, {"en"}) == "fr"
    reason = language_hold(says_french, (), frozenset({"en", "de"}))
    assert reason is not None and reason.label == "written in French (fr); the team reads de, en"


def test_an_unsure_guess_holds_nothing() -> None:
    # Three words say little: the guess may be anything, so the item is not held for it.
    assert language_hold(SHORT, (), frozenset({"en"})) is None
    assert language_hold(ENGLISH, (), frozenset({"en"})) is None
    assert language_name("xx") == "xx" and language_name("de") == "German (de)"


def test_each_text_is_read_once_however_many_topics_ask() -> None:
    language._ranked.cache_clear()
    topics = [Topic(f"t{n}", "postgres", min_score=0) for n in range(20)]
    for topic in topics:
        decide(GERMAN, topic, MATCH, T0, TEAM)
    info = language._ranked.cache_info()
    assert (info.misses, info.hits) == (1, 19)


def test_explain_shows_the_hold_and_its_reason() -> None:
    stored = StoredConversation(1, SPANISH, "hn", T0)
    detected, [verdict] = explain_item(stored, [Topic("pg", "postgres", min_score=0)], TEAM)
    assert detected == "es"
    assert verdict.outcome == "below_min" and verdict.score is not None
    assert verdict.score.reasons[0].label == "written in Spanish (es); the team reads en"
