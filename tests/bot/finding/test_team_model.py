"""Learning from the team by meaning: joined and dismissed alerts train a per-topic model on the embeddings, which
counts only above a minimum of each, within a bound, the same in every replica, and shows in `earshot explain`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from earshot.adapters.cli.explain_view import explanation
from earshot.adapters.meaning import default_embedder
from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.domain import Conversation, Match, Outcome, OutcomeKind, Topic
from earshot.bot.finding.explain import Explainer
from earshot.bot.finding.feedback import learn_all
from earshot.bot.finding.matching import TopicIndex, compile_topics
from earshot.bot.finding.meaning import Meaning
from earshot.bot.finding.polling import FEEDBACK_REFRESH, Poller, decide
from earshot.bot.finding.preview import preview
from earshot.bot.finding.scoring import Reason, ReasonKind, ScoringPolicy, score, top_reasons
from earshot.bot.finding.team_model import (
    LIKE_MAX,
    MIN_EACH,
    TeamModel,
    learn_model,
    like_team,
    stored_embedding_text,
    team_models,
)
from tests.bot.finding.test_polling import EVERY, POLICY, ScriptedSource, item, result, seeded, setup, stored_alerts
from tests.fakes.clock import T0, Clock

TOPIC = Topic(
    "databases",
    "postgres",
    about="We help teams tune and operate Postgres: slow queries, indexes, vacuum, replication and connection pools.",
    min_score=0,
)
WORDS_ONLY = Topic("databases", "postgres", min_score=0)  # says nothing of its meaning: the word learner applies
JOINED = [
    "Postgres query got slow after upgrade, the planner ignores our index",
    "How do you size a Postgres connection pool for a busy API?",
    "Autovacuum on a big Postgres table takes hours, what settings help?",
    "Postgres replication lag keeps growing under write load",
    "Which Postgres index type for range queries on timestamps?",
    "Deadlocks in Postgres when two workers update the same rows",
]
DISMISSED = [
    "We are hiring a senior Postgres engineer, remote, great salary",
    "Job opening: database administrator with Postgres experience",
    "Our startup is looking for a backend developer who knows Postgres",
    "Hiring now: Postgres DBA contract role in Berlin",
    "Career opportunity for Postgres developers at a fintech company",
    "Apply today: remote Postgres data engineer position",
]
LIKE_JOINED = "Postgres queries slow down after we added an index, how do we find out why?"
LIKE_DISMISSED = "We are hiring a Postgres database engineer for our remote team, apply now"


@pytest.fixture(scope="module")
def meaning() -> Meaning:
    return Meaning(default_embedder())


def test_no_model_until_each_side_has_its_minimum(meaning: Meaning) -> None:
    embedder = meaning.embedder
    assert MIN_EACH == 5
    assert learn_model(embedder, DISMISSED[:4], JOINED) is None
    assert learn_model(embedder, DISMISSED, JOINED[:4]) is None
    model = learn_model(embedder, DISMISSED[:5], JOINED[:5])
    assert model is not None and model.counts == (5, 5)
    texts = {"databases": (DISMISSED[:4], JOINED), "other": (DISMISSED, JOINED)}
    assert team_models(meaning, texts, [TOPIC, replace(TOPIC, name="other")]).keys() == {"other"}
    assert team_models(meaning, texts, [replace(WORDS_ONLY, name="other")]) == {}  # no meaning: words only
    assert team_models(None, texts, [replace(TOPIC, name="other")]) == {}  # no embedder


def test_an_item_like_what_the_team_joined_gains_and_one_like_what_it_dismissed_loses(meaning: Meaning) -> None:
    model = learn_model(meaning.embedder, DISMISSED, JOINED)
    assert model is not None
    up = like_team(model, meaning.embedder.embed(LIKE_JOINED), meaning.embedder)
    down = like_team(model, meaning.embedder.embed(LIKE_DISMISSED), meaning.embedder)
    assert up is not None and down is not None
    assert 0 < up.weight <= LIKE_MAX and -LIKE_MAX <= down.weight < 0
    assert up.kind is down.kind is ReasonKind.FEEDBACK
    assert up.label == "learned from the team's feedback: like the 6 threads the team joined"
    assert down.label == "learned from the team's feedback: like the 6 items the team dismissed"


def test_the_score_carries_the_model_s_part_only_for_topics_read_by_meaning(meaning: Meaning) -> None:
    policy = ScoringPolicy(meaning=meaning)
    model = learn_model(meaning.embedder, DISMISSED, JOINED)
    post = replace(item(1, LIKE_DISMISSED), created_at=T0)
    match = Match(("postgres",), in_title=True, score=1)
    plain = score(post, match, T0, policy, topic=TOPIC)
    learned = score(post, match, T0, policy, topic=TOPIC, model=model)
    [part] = [r for r in learned.reasons if r.kind is ReasonKind.FEEDBACK]
    assert part.weight < 0 and learned.value == plain.value + part.weight
    # A topic without about/examples is not read by meaning: the model is not used, the words are.
    words = learn_all({"databases": (DISMISSED, JOINED)})["databases"]
    fallback = score(post, match, T0, policy, topic=WORDS_ONLY, dismissed=words, model=model)
    [used] = [r.label for r in fallback.reasons if r.kind is ReasonKind.FEEDBACK]
    assert used.startswith("similar to dismissed items (")


def test_stored_feedback_is_embedded_as_the_item_was() -> None:
    assert stored_embedding_text("Title\n") == "Title\n"
    assert stored_embedding_text("\nonly text") == "only text"
    assert stored_embedding_text("Same start\nSame start and more") == "Same start and more"
    assert stored_embedding_text("T\n" + "x" * 1000) == "T\n" + "x" * 240


async def _with_feedback(store: MemoryStore, clock: Clock, source: ScriptedSource, poller: Poller, n: int) -> None:
    """Alert JOINED and DISMISSED (the first ``n`` of the dismissed), then claim and dismiss them."""
    await seeded(poller, source, "forum", "board")
    clock.advance(EVERY)
    titles = JOINED + DISMISSED[:n]
    source.then("forum", result(*(item(i, t) for i, t in enumerate(titles))))
    source.then("board", result())
    await poller.poll()
    alerts = {a.conversation.title: a for a in await stored_alerts(store)}
    async with store.unit() as unit:
        for title in JOINED:
            await unit.claim(alerts[title].id, "U2", clock.now)
        for title in DISMISSED[:n]:
            await unit.add_outcome(Outcome(alerts[title].id, OutcomeKind.NOT_RELEVANT, "U1", clock.now))


def _poller(store: MemoryStore, source: ScriptedSource, clock: Clock, owner: str, meaning: Meaning) -> Poller:
    scoring = ScoringPolicy(meaning=meaning)
    return Poller(store, {"fake": source}, clock, owner, POLICY, rand=lambda: 0.5, scoring=scoring)


async def test_below_the_minimum_the_team_s_feedback_has_no_part(store: MemoryStore, meaning: Meaning) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum", "board"], [TOPIC])
    poller = _poller(store, source, clock, "worker-1", meaning)
    await _with_feedback(store, clock, source, poller, 4)  # one short of MIN_EACH (5)
    clock.advance(FEEDBACK_REFRESH)  # the poller relearns: 6 joined, 4 dismissed
    source.then("forum", result(item(50, LIKE_DISMISSED)))
    source.then("board", result())
    await poller.poll()
    alert = next(a for a in await stored_alerts(store) if a.conversation.title == LIKE_DISMISSED)
    assert not any(r.startswith("learned from the team's feedback") for r in alert.reasons)


@pytest.mark.parametrize("twin", [False, True], ids=["sql", "memory"])
async def test_two_replicas_learn_the_same_from_the_database_and_explain_shows_it(
    store: MemoryStore, meaning: Meaning, twin: bool
) -> None:
    store = MemoryStore() if twin else store  # the SQL store, and its in-memory twin
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum", "board"], [TOPIC])
    first = _poller(store, source, clock, "worker-1", meaning)
    await _with_feedback(store, clock, source, first, len(DISMISSED))
    # A second replica, started after the feedback, with its own reader of meaning (nothing shared in process).
    second = _poller(store, source, clock, "worker-2", Meaning(default_embedder()))
    clock.advance(FEEDBACK_REFRESH)  # the first relearns too
    source.then("forum", result(item(60, LIKE_DISMISSED), item(61, LIKE_JOINED)))
    await first.poll(names=["forum"])
    source.then("board", result(item(70, LIKE_DISMISSED), item(71, LIKE_JOINED)))
    await second.poll(names=["board"])

    found = {(a.conversation.external_id): a for a in await stored_alerts(store)}
    for one, other in (("60", "70"), ("61", "71")):
        assert (found[one].score, found[one].reasons) == (found[other].score, found[other].reasons)
    disliked, liked = found["60"], found["61"]
    assert "learned from the team's feedback: like the 6 items the team dismissed" in disliked.reasons
    assert "learned from the team's feedback: like the 6 threads the team joined" in liked.reasons

    explained = await Explainer(store, clock, ScoringPolicy(meaning=meaning)).explain(str(liked.id))
    [verdict] = explained.verdicts
    assert verdict.score is not None
    [part] = [r for r in verdict.score.reasons if r.kind is ReasonKind.FEEDBACK]
    assert part.weight > 0 and part.label.startswith("learned from the team's feedback: like ")
    shown = explanation(explained, "general")  # as `earshot explain` prints it
    line = f"{part.weight:+4d}  learned from the team's feedback: like the 6 threads the team joined (feedback)"
    assert line in shown


def test_feeds_test_and_topic_previews_decide_with_the_model_as_the_poller_does(meaning: Meaning) -> None:
    policy = ScoringPolicy(meaning=meaning)
    models = team_models(meaning, {"databases": (DISMISSED, JOINED)}, [TOPIC])
    post = replace(item(1, LIKE_JOINED), created_at=T0)
    [without] = preview([post], "forum", [TOPIC], T0, policy)
    [learned] = preview([post], "forum", [TOPIC], T0, policy, models=models)
    [before], [after] = without.verdicts, learned.verdicts
    assert after.score is not None and before.score is not None and after.score > before.score
    assert after.reasons[0].label.startswith("learned from the team's feedback: like ")
    assert (after.score, after.reasons) == (decide_with(post, models, policy))


def decide_with(
    post: Conversation, models: dict[str, TeamModel], policy: ScoringPolicy
) -> tuple[int, tuple[Reason, ...]]:
    [(topic, found)] = TopicIndex(compile_topics([TOPIC]), policy.meaning).match(post, "forum")
    result, _ = decide(post, topic, found, T0, policy, None, models["databases"])
    return result.value, top_reasons(result)
