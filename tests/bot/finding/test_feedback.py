"""Learning from feedback: dismissed alerts teach a topic which words to score down and suggest to exclude."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.domain import Match, Outcome, OutcomeKind, Topic
from earshot.bot.finding.feedback import learn, learn_all, suggest_exclusions, with_exclusions
from earshot.bot.finding.matching import TopicIndex, compile_topics
from earshot.bot.finding.scoring import ReasonKind, feedback_words, score, similar_to_dismissed, top_reasons
from tests.bot.finding.test_polling import (
    EVERY,
    ScriptedSource,
    item,
    make_poller,
    result,
    seeded,
    setup,
    stored_alerts,
)
from tests.fakes.clock import T0, Clock

DISMISSED = [
    "Postgres crypto token airdrop, join now",
    "Earn crypto yield on your Postgres token",
    "Airdrop: postgres token giveaway",
    "Crypto exchange uses Postgres",
]
KEPT = [
    "Postgres slow query after upgrade, index not used",
    "Which Postgres connection pool for a small team?",
    "Vacuum takes hours on our Postgres",
    "Postgres replication lag, any advice?",
    "Moving from MySQL to Postgres: what to watch",
]


def test_words_typical_of_dismissed_items_are_learned_and_shared_ones_are_not() -> None:
    weights = learn(DISMISSED, KEPT)
    assert set(weights) == {"crypto", "token", "airdrop"}
    assert weights["crypto"] == weights["token"] > weights["airdrop"] > 0  # in 3, 3 and 2 of the 4 dismissed
    assert "postgres" not in weights  # in every alert of the topic, dismissed or claimed
    assert learn(DISMISSED[:2], KEPT) == {}  # too little feedback to learn from


def test_similar_items_get_a_penalty_reason_shown_first_among_the_score_s_reasons() -> None:
    weights = learn(DISMISSED, KEPT)
    words = feedback_words("New crypto token on Postgres", "")
    reason = similar_to_dismissed(words, weights)
    assert reason is not None and reason.kind is ReasonKind.FEEDBACK
    assert reason.label == "similar to dismissed items (crypto, token)"
    assert -30 <= reason.weight <= -12
    assert similar_to_dismissed(feedback_words("Postgres index question", ""), weights) is None

    post = replace(item(1, "Which Postgres crypto token library should I use?"), created_at=T0)
    match = Match(("postgres",), in_title=True, score=1)
    plain, learned = score(post, match, T0), score(post, match, T0, dismissed=weights)
    assert learned.value == plain.value + reason.weight
    assert top_reasons(learned)[0].label == "similar to dismissed items (crypto, token)"


def test_suggested_exclusions_are_frequent_when_dismissed_rare_when_claimed_and_make_a_valid_query() -> None:
    query = '"postgres" OR "token bucket"'
    found = suggest_exclusions(DISMISSED, KEPT, query, limit=5)
    # "token" is typical of the dismissed alerts too, but the query asks for it.
    assert [(s.term, s.dismissed, s.kept) for s in found] == [("crypto", 3, 0), ("airdrop", 2, 0)]
    edited = with_exclusions(query, [s.term for s in found] + ["c++"])
    assert edited == '("postgres" OR "token bucket") -crypto -airdrop -"c++"'
    index = TopicIndex(compile_topics([Topic("db", edited)]))
    assert index.match(item(1, "Postgres crypto airdrop"), "forum") == []
    assert [t.name for t, _ in index.match(item(2, "Postgres slow query"), "forum")] == ["db"]


async def test_the_poller_scores_items_like_dismissed_ones_lower(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    topic = Topic("databases", "postgres", min_score=0)
    await setup(store, clock, source, ["forum"], [topic])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")
    clock.advance(EVERY)
    source.then("forum", result(*(item(n, t) for n, t in enumerate(DISMISSED + KEPT))))
    await poller.poll()
    alerts = {a.conversation.title: a for a in await stored_alerts(store)}
    async with store.unit() as unit:
        for title in DISMISSED:
            kind = OutcomeKind.NOT_RELEVANT if "Airdrop" not in title else OutcomeKind.NOT_WORTH_IT
            await unit.add_outcome(Outcome(alerts[title].id, kind, "U1", clock.now))
        for title in KEPT:
            await unit.claim(alerts[title].id, "U2", clock.now)
        texts = await unit.feedback_texts(clock.now - timedelta(days=90), 100)
    assert set(learn_all(texts)["databases"]) == {"crypto", "token", "airdrop"}

    clock.advance(timedelta(minutes=10))  # the poller relearns every ten minutes
    twins = [item(20, "Postgres crypto token question?"), item(21, "Postgres autovacuum question?")]
    source.then("forum", result(*twins))
    await poller.poll()
    fresh = {a.conversation.title: a for a in await stored_alerts(store)}
    similar, other = fresh["Postgres crypto token question?"], fresh["Postgres autovacuum question?"]
    assert similar.reasons[0].startswith("similar to dismissed items (")
    assert similar.score < other.score
