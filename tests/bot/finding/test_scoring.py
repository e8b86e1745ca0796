"""Joinability scoring: each signal and the combination are pure functions, checked by tables."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from earshot.adapters.sources.registry import half_lives as declared_half_lives
from earshot.bot.domain import Conversation, Match
from earshot.bot.finding.intent import LABELS, POSITIVE, Intent, find_intents
from earshot.bot.finding.scoring import (
    CROWDED,
    DEFAULT_HALF_LIFE,
    FEW_REPLIES,
    INTENT_WEIGHTS,
    NO_INTENT,
    SOME_REPLIES,
    TITLE_HIT,
    UNANSWERED,
    Reason,
    ReasonKind,
    Score,
    ScoringPolicy,
    age_label,
    freshness,
    intent_reasons,
    item_reasons,
    relevance,
    room,
    score,
    summary_line,
    top_reasons,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TITLE_MATCH = Match(terms=("pgvector",), in_title=True, score=60)


def item(
    title: str = "Which vector store should I use?",
    text: str = "",
    *,
    source: str = "hackernews",
    age: timedelta | None = timedelta(minutes=40),
    replies: int | None = 3,
    author: str | None = "someone",
) -> Conversation:
    return Conversation(
        source=source,
        external_id="1",
        url="https://example.invalid/1",
        title=title,
        text=text,
        author=author,
        created_at=None if age is None else NOW - age,
        thread_size=replies,
    )


def kinds(title: str, text: str = "") -> set[Intent]:
    return {f.intent for f in find_intents(title, text)}


@pytest.mark.parametrize(
    ("title", "text", "intent"),
    [
        ("Ask HN: Is pgvector good enough?", "", Intent.QUESTION),
        ("pgvector in production", "How do I tune ef_search for recall?", Intent.QUESTION),
        ("How to shard Postgres", "", Intent.QUESTION),
        ("Is there a way to trace bash scripts", "", Intent.QUESTION),
        ("Any way to speed up HNSW builds", "", Intent.QUESTION),
        ("Any tool for schema diffs", "", Intent.RECOMMENDATION),
        ("Looking for a Rust crate for iCal", "", Intent.RECOMMENDATION),
        ("Can you recommend a Postgres GUI", "", Intent.RECOMMENDATION),
        ("Suggestions for tracing storage", "", Intent.RECOMMENDATION),
        ("Alternatives to Jaeger?", "Our traces outgrew it. What are people moving to?", Intent.RECOMMENDATION),
        ("Self-hosted alternative to Pinecone", "Can anyone point me to one that scales?", Intent.RECOMMENDATION),
        ("Qdrant vs Milvus for 100M vectors", "Which one should we pick?", Intent.COMPARISON),
        ("Prometheus vs. VictoriaMetrics?", "Anyone run both at scale?", Intent.COMPARISON),
        ("Which GUI framework should I pick", "", Intent.RECOMMENDATION),
        ("What do you use for connection pooling", "", Intent.RECOMMENDATION),
        ("Best managed Postgres for a small team?", "", Intent.RECOMMENDATION),
        ("Struggling with lifetimes", "", Intent.PAIN),
        ("Can't get logical replication working", "", Intent.PAIN),
        ("Autovacuum doesn't work on this table", "", Intent.PAIN),
        ("Query slow after upgrade", "Any idea what changed in the planner?", Intent.PAIN),
        ("cargo build keeps failing on Windows", "", Intent.PAIN),
        ("Frustrated with the collector config", "How do I get it to drop the debug spans?", Intent.PAIN),
        ("Milvus crash loop after upgrade, any fix", "", Intent.PAIN),
        ("Announcing Qdrant 1.11", "", Intent.ANNOUNCEMENT),
        ("PostgreSQL 17 released", "", Intent.ANNOUNCEMENT),
        ("v1.2 is out", "", Intent.ANNOUNCEMENT),
        ("Tracely", "We're excited to announce our launch.", Intent.ANNOUNCEMENT),
        ("Show HN: a vector database in Rust", "", Intent.ANNOUNCEMENT),
        ("[Hiring] Postgres DBA", "", Intent.JOB),
        ("Rust developer", "We're looking for a senior backend engineer to join us.", Intent.JOB),
        ("Remote position: SRE", "", Intent.JOB),
        ("Staff engineer", "Salary: 150k. Apply here.", Intent.JOB),
        ("Dashboards for Prometheus", "Check out my new pack, use code LAUNCH.", Intent.PROMOTION),
        ("I built a Postgres GUI", "", Intent.PROMOTION),
        ("Rust for Pythonistas", "My new course is live, 40% discount this week.", Intent.PROMOTION),
    ],
)
def test_intent_phrases(title: str, text: str, intent: Intent) -> None:
    assert intent in kinds(title, text)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("TIL Postgres generated columns", "Neat."),
        ("Five indexing mistakes we made", "Lessons learned from a year of tuning."),
        ("Rust in the kernel: a status report", ""),
        ("https://example.com/?q=pgvector", ""),  # a question mark inside a URL is not a question
        ("Showcase: howtos", "rehashing, painting, slowpoke"),  # whole words only
        ("Alternatives to Jaeger", "Five tracing backends compared, with our benchmark."),  # a phrase alone
        ("Prometheus vs. VictoriaMetrics", "We moved last year. The numbers below are from our cluster."),
    ],
)
def test_no_positive_intent_where_none_is_asked(title: str, text: str) -> None:
    assert not kinds(title, text) & set(POSITIVE)


def test_a_single_pain_word_counts_only_in_a_post_that_asks() -> None:
    assert Intent.PAIN not in kinds("Since 2.0 was released my queries are slow", "")
    assert Intent.PAIN in kinds("Since 2.0 was released my queries are slow", "Any idea where to start looking?")


def test_released_in_the_text_is_not_an_announcement() -> None:
    assert Intent.ANNOUNCEMENT not in kinds("Queries slow", "Since 2.0 was released the planner changed.")


def test_a_job_ad_is_not_looking_for_a_tool() -> None:
    found = kinds("Backend role", "We're looking for a senior Rust engineer.")
    assert Intent.JOB in found
    assert Intent.RECOMMENDATION not in found


@pytest.mark.parametrize(
    ("title", "text", "label", "weight"),
    [
        ("Best vector DB for RAG?", "", "asks for a recommendation", INTENT_WEIGHTS[Intent.RECOMMENDATION]),
        (
            "Planner changed after upgrade",
            "Now it is slow. Any idea why?",
            "describes a problem",
            INTENT_WEIGHTS[Intent.PAIN],
        ),
        ("Announcing Qdrant 1.11", "", "an announcement", INTENT_WEIGHTS[Intent.ANNOUNCEMENT]),
        ("Hiring: Rust engineer", "", "a job post", INTENT_WEIGHTS[Intent.JOB]),
        ("Slides from my talk", "Check out my blog.", "self-promotion", INTENT_WEIGHTS[Intent.PROMOTION]),
        ("Postgres 17 features", "A tour.", "no question or request", NO_INTENT),
    ],
)
def test_intent_reasons(title: str, text: str, label: str, weight: int) -> None:
    reasons = intent_reasons(title, text)
    assert Reason(label, weight, ReasonKind.INTENT) in reasons


@pytest.mark.parametrize(
    "title",
    ["Show HN: I built a pgvector alternative, feedback?", "Hiring: how do you like Rust? Remote position"],
)
def test_broadcasts_score_low_even_with_a_question_mark(title: str) -> None:
    assert sum(r.weight for r in intent_reasons(title, "")) < 0


@pytest.mark.parametrize(
    ("source", "half_life"),
    [
        ("hackernews", timedelta(hours=6)),
        ("reddit", timedelta(hours=12)),
        ("lobsters", timedelta(hours=12)),
        ("mastodon", timedelta(hours=6)),
        ("bluesky", timedelta(hours=6)),
        ("stackexchange", timedelta(days=2)),
        ("github", timedelta(days=3)),
        ("discourse", timedelta(days=3)),
        ("rss", timedelta(days=2)),
        ("somethingnew", timedelta(days=1)),
    ],
)
@pytest.mark.parametrize(("half_lives", "weight"), [(0, 20), (1, 0), (3, -15)])
def test_freshness_decays_with_the_source_half_life(
    source: str, half_life: timedelta, half_lives: int, weight: int
) -> None:
    policy = ScoringPolicy(half_lives=declared_half_lives())  # as the composition root builds it, from the declarations
    assert policy.half_life(source) == half_life
    reason = freshness(NOW - half_life * half_lives, NOW, policy.half_life(source))
    assert reason is not None
    assert (reason.weight, reason.kind) == (weight, ReasonKind.FRESHNESS)


def test_freshness_unknown_age_and_future_dates() -> None:
    assert freshness(None, NOW, timedelta(hours=6)) is None
    future = freshness(NOW + timedelta(minutes=5), NOW, timedelta(hours=6))
    assert future is not None and future.weight == 20 and future.label == "just posted"


@pytest.mark.parametrize(
    ("age", "label"),
    [
        (timedelta(seconds=20), "just posted"),
        (timedelta(minutes=40), "40 min old"),
        (timedelta(hours=5, minutes=59), "5 h old"),
        (timedelta(hours=47), "47 h old"),
        (timedelta(days=3, hours=2), "3 days old"),
    ],
)
def test_age_label(age: timedelta, label: str) -> None:
    assert age_label(age) == label


@pytest.mark.parametrize(
    ("replies", "label", "weight"),
    [
        (0, "unanswered", UNANSWERED),
        (1, "1 reply", FEW_REPLIES),
        (3, "3 replies", FEW_REPLIES),
        (10, "10 replies", FEW_REPLIES),
        (11, "11 replies", SOME_REPLIES),
        (99, "99 replies", SOME_REPLIES),
        (100, "crowded thread (100 replies)", CROWDED),
        (240, "crowded thread (240 replies)", CROWDED),
    ],
)
def test_room_to_join(replies: int, label: str, weight: int) -> None:
    assert room(replies) == Reason(label, weight, ReasonKind.ROOM)


def test_unknown_thread_size_is_neutral() -> None:
    assert room(None) is None


@pytest.mark.parametrize(
    ("match", "label", "weight"),
    [
        (Match(("pgvector",), True, 60), "pgvector in the title", TITLE_HIT),
        (Match(("pgvector", "qdrant"), True, 70), "pgvector, qdrant in the title", TITLE_HIT + 2),
        (Match(("a", "b", "c", "d", "e", "f"), True, 100), "a, b, c, d, e, f in the title", TITLE_HIT + 6),
        (Match(("postgres",), False, 40), "mentions postgres", -4),
    ],
)
def test_relevance_title_beats_body(match: Match, label: str, weight: int) -> None:
    assert relevance(match) == Reason(label, weight, ReasonKind.RELEVANCE)


@pytest.mark.parametrize("author", ["ana", "ANA", " Ana "])
def test_the_teams_own_accounts_score_zero(author: str) -> None:
    policy = ScoringPolicy(team_accounts=frozenset({"Ana", "bob"}))
    result = score(item(author=author), TITLE_MATCH, NOW, policy)
    assert result == Score(0, (Reason("posted by your team", -100, ReasonKind.TEAM),))
    assert summary_line(result) == "posted by your team"


@pytest.mark.parametrize(
    ("conversation", "low", "high"),
    [
        (item("Best vector DB for RAG? Struggling with pgvector", age=timedelta(0), replies=0), 95, 100),
        (item("Show HN: I built a vector DB. Hiring!", age=timedelta(days=30), replies=500), 0, 0),
        (item("Which vector store should I use?"), 60, 100),
        (item("TIL pgvector has HNSW", "Neat."), 0, 49),
        (item("Which vector store should I use?", age=timedelta(days=5)), 0, 49),
        (item("Which vector store should I use?", replies=300), 0, 49),
        (item("Announcing pgvector 0.8", age=timedelta(minutes=5), replies=0), 0, 49),
        (item("Which vector store should I use?", age=None, replies=None), 50, 100),
    ],
)
def test_combination_is_bounded_and_ranks(conversation: Conversation, low: int, high: int) -> None:
    hours = ScoringPolicy(half_lives={"hackernews": timedelta(hours=6)})  # what the hackernews kind declares
    value = score(conversation, TITLE_MATCH, NOW, hours).value
    assert 0 <= value <= 100
    assert low <= value <= high


def test_score_is_a_pure_function_of_its_arguments() -> None:
    conversation = item()
    assert score(conversation, TITLE_MATCH, NOW) == score(conversation, TITLE_MATCH, NOW)
    later = score(conversation, TITLE_MATCH, NOW + timedelta(days=2))
    assert later.value < score(conversation, TITLE_MATCH, NOW).value


def test_summary_line_reads_intent_age_and_room() -> None:
    result = score(item("Any tool for pgvector backups?", replies=3), TITLE_MATCH, NOW)
    assert summary_line(result) == "asks for a recommendation · 40 min old · 3 replies"
    assert [r.kind for r in top_reasons(result)] == [ReasonKind.INTENT, ReasonKind.FRESHNESS, ReasonKind.ROOM]
    assert summary_line(result, n=4).endswith(" · pgvector in the title")


def test_summary_line_shows_a_crowded_thread() -> None:
    result = score(item("Is pgvector worth the hype?", replies=240, age=timedelta(hours=5)), TITLE_MATCH, NOW)
    assert summary_line(result) == "asks a question · 5 h old · crowded thread (240 replies)"


def test_summary_line_without_age_or_thread_size_falls_back_to_relevance() -> None:
    result = score(item("How do I tune pgvector?", age=None, replies=None), TITLE_MATCH, NOW)
    assert summary_line(result) == "asks a question · pgvector in the title"


@pytest.mark.parametrize(
    "title",
    ["Qdrant vs Weaviate vs Milvus: a benchmark", "Ask the expert: when should you shard Postgres?"],
)
def test_an_article_title_does_not_ask(title: str) -> None:
    reasons = intent_reasons(title, "")
    assert [r.label for r in reasons] == ["an article, not a question"]
    assert reasons[0].weight == INTENT_WEIGHTS[Intent.ARTICLE] < 0


def test_a_comment_is_read_by_its_own_words_not_its_storys_title() -> None:
    story_title = "Why we moved our vector database back to Postgres"
    asking = Conversation("hackernews", "c1", "u", story_title, "Did you try Qdrant? How do I filter in pgvector?")
    chatting = Conversation("hackernews", "c2", "u", "Ask HN: Best vector DB?", "Nice write-up, thanks.")
    asking, chatting = (replace(c, kind="comment", created_at=NOW, thread_size=0) for c in (asking, chatting))
    assert summary_line(score(asking, TITLE_MATCH, NOW)).startswith("asks a question")
    assert summary_line(score(chatting, TITLE_MATCH, NOW)).startswith("no question or request")


def test_without_declared_half_lives_every_source_ages_at_the_default_pace() -> None:
    assert ScoringPolicy().half_life("hackernews") == DEFAULT_HALF_LIFE == timedelta(days=1)


def test_a_solved_title_is_counted_once_as_the_thread_s_state_not_again_as_what_the_asker_says() -> None:
    solved = Conversation(
        "stackexchange",
        "1",
        "https://x.example/q/1",
        "[SOLVED] Postgres autovacuum never finishes on a big table",
        text="Edit: solved, it was a long-running transaction holding the xmin horizon.",
        created_at=NOW - timedelta(hours=1),
        thread_size=3,
    )
    reasons = item_reasons(solved, NOW, timedelta(days=1))
    assert [r.kind for r in reasons].count(ReasonKind.STATE) == 1
    assert not [r for r in reasons if r.kind is ReasonKind.INTENT and r.label == LABELS[Intent.SOLVED]]
    opened = replace(solved, title="Postgres autovacuum never finishes on a big table")
    # Without a state, the asker's own words still say it is settled.
    assert [r for r in item_reasons(opened, NOW, timedelta(days=1)) if r.label == LABELS[Intent.SOLVED]]
