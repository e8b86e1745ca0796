"""Learning from the team by meaning: a per-topic nearest-centroid model on the embeddings of the alerts people
joined (claimed without dismissing; outcomes such as "replied" or "lead" are recorded on claimed alerts) and of
those they dismissed ("not relevant", "not worth it").

The model is the mean vector of each side (through the Embedder port, so the core needs no numerical library). An
item's likeness is its cosine with the joined side's centroid minus its cosine with the dismissed side's: a linear
classifier whose weight vector is the difference of the centroids, the simplest regularised one (no parameter to
fit, nothing to overfit on a dozen items). It counts for nothing until a topic has at least ``MIN_EACH`` items on
each side, and for at most ``LIKE_MAX`` points either way.

It is derived from the database alone (the same stored feedback, read in the same order, gives the same model), so
every replica that relearns it computes the same thing; there is no state kept only in one process. Topics that do
not say what they mean (no ``about`` nor examples) keep the word-frequency learner
(:mod:`earshot.bot.finding.feedback`) and never load the embedder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from earshot.bot.domain import Topic
from earshot.bot.finding.meaning import OPENING_CHARS, Meaning, has_meaning
from earshot.bot.ports.meaning import Embedder, Vector
from earshot.bot.records import Reason, ReasonKind

MIN_EACH = 5
"""Fewer joined or fewer dismissed alerts than this for a topic teach its model nothing yet (the word learner, if
it learned anything, still applies)."""
LIKE_UNIT = 60
LIKE_MAX = 12
LIKE_MIN_MARGIN = 0.03
"""An item gains (or loses) LIKE_UNIT points per unit of cosine it sits nearer the joined (or dismissed) centroid,
at most LIKE_MAX either way; under LIKE_MIN_MARGIN the likeness is chance and counts nothing. Bounded so that the
team's feedback nudges a borderline alert over or under ``min_score`` without overriding what the post asks."""


@dataclass(frozen=True, slots=True)
class TeamModel:
    """A topic's model: each side's centroid, and how many alerts each was learned from. Two vectors a topic: an
    item is weighed against it with two dot products, cheap enough for every match."""

    joined: Vector
    dismissed: Vector
    joined_count: int
    dismissed_count: int

    @property
    def counts(self) -> tuple[int, int]:
        """How many joined and dismissed alerts it was learned from."""
        return self.joined_count, self.dismissed_count


def stored_embedding_text(stored: str) -> str:
    """What a stored feedback text ("title\\ntext") is embedded as: the same title-and-opening an item's vector is
    made of (:func:`earshot.bot.finding.meaning.embedding_text`)."""
    title, _, text = stored.partition("\n")
    opening = text[:OPENING_CHARS]
    if not title or opening.startswith(title):
        return opening or title
    return f"{title}\n{opening}"


def learn_model(embedder: Embedder, dismissed: Sequence[str], joined: Sequence[str]) -> TeamModel | None:
    """The model of one topic's feedback texts; None while either side has fewer than ``MIN_EACH``."""
    if len(dismissed) < MIN_EACH or len(joined) < MIN_EACH:
        return None
    good = [embedder.embed(stored_embedding_text(t)) for t in joined]
    bad = [embedder.embed(stored_embedding_text(t)) for t in dismissed]
    return TeamModel(embedder.mean(good), embedder.mean(bad), len(good), len(bad))


def learn_models(
    embedder: Embedder, texts: Mapping[str, tuple[list[str], list[str]]], topics: Sequence[str]
) -> dict[str, TeamModel]:
    """The model of each of ``topics`` (those that say what they mean) with enough feedback in ``texts`` (topic ->
    dismissed texts, joined texts, as :meth:`Feedback.feedback_texts` gives them)."""
    models: dict[str, TeamModel] = {}
    for topic in sorted(topics):
        bad, good = texts.get(topic, ([], []))
        model = learn_model(embedder, bad, good)
        if model is not None:
            models[topic] = model
    return models


def team_models(
    meaning: Meaning | None, texts: Mapping[str, tuple[list[str], list[str]]], topics: Sequence[Topic]
) -> dict[str, TeamModel]:
    """What each of ``topics`` that says what it means learned by meaning from the feedback ``texts`` (none without
    a reader of meaning: those topics keep the word learner, and a setup without such topics never loads the
    embedder). The poller relearns it on a schedule; `earshot explain` learns it the same way."""
    if meaning is None:
        return {}
    wanted = [t.name for t in topics if has_meaning(t) and t.name in texts]
    return learn_models(meaning.embedder, texts, wanted) if wanted else {}


def like_team(model: TeamModel, vector: Vector, embedder: Embedder) -> Reason | None:
    """What the team's feedback says of an item (its vector): points for sitting nearer what the team joined,
    fewer for nearer what it dismissed, naming how many alerts that side was learned from; None when the item sits
    about as near both."""
    margin = embedder.similarity(vector, model.joined) - embedder.similarity(vector, model.dismissed)
    if abs(margin) < LIKE_MIN_MARGIN:
        return None
    weight = max(-LIKE_MAX, min(LIKE_MAX, round(LIKE_UNIT * margin)))
    if weight == 0:
        return None
    if weight > 0:
        label = f"like the {model.joined_count} threads the team joined"
    else:
        label = f"like the {model.dismissed_count} items the team dismissed"
    return Reason(f"learned from the team's feedback: {label}", weight, ReasonKind.FEEDBACK)
