"""A SIMULATION of learning from the team's feedback on the evaluation set: does it help on the test part?

No team gave this feedback. It is simulated from the labels of the development part: every dev item the bot
*posts* for a topic (at the topic's min_score, as the running bot would) gets the feedback a careful team would
give it: claimed when its label says it is worth joining, "not relevant" when it says it is not. Items the bot
held back get none (nobody sees them). From that, per topic, the word learner (earshot.bot.finding.feedback) and
the model by meaning (earshot.bot.finding.team_model) are learned exactly as the poller learns them from the
database, and the test part is scored three ways: no feedback, words only (as before), and with both (words for
topics read by keywords, the model for topics read by meaning). The test part's labels are used only to count.

With --all-matched, the simulated team gives feedback on every dev item the topic *matched*, held ones included
(as a team going through held alerts would): a more generous simulation, with more dismissals to learn from.

    python benchmarks/feedback_simulation.py
    python benchmarks/feedback_simulation.py --all-matched
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import NOW, Tally
from relevance_set import Case, cases, conversation, load_items, load_topics, topic_of

from earshot.adapters.meaning import default_embedder
from earshot.adapters.sources.registry import half_lives
from earshot.bot.domain import Conversation, DeliveryState, Match, Topic
from earshot.bot.finding.feedback import FEEDBACK_TEXTS, learn_all
from earshot.bot.finding.matching import TopicIndex, compile_topics
from earshot.bot.finding.meaning import Meaning
from earshot.bot.finding.polling import decide
from earshot.bot.finding.scoring import ScoringPolicy
from earshot.bot.finding.team_model import TeamModel, team_models

Texts = dict[str, tuple[list[str], list[str]]]


def main(argv: list[str] | None = None) -> int:
    """Simulate the feedback on the dev part, learn, and print the test part's figures each way."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all-matched", action="store_true", help="feedback on held dev items too, not only posted")
    every = parser.parse_args(argv).all_matched
    items = load_items()
    declared = [topic_of(name, spec) for name, spec in load_topics().items()]
    by_name = {t.name: t for t in declared}
    policy = ScoringPolicy(half_lives=half_lives(), meaning=Meaning(default_embedder()))
    index = TopicIndex(compile_topics(declared), policy.meaning)
    by_item = {item["id"]: item for item in items}
    matched: dict[str, tuple[Conversation, dict[str, Match]]] = {}
    texts: Texts = {}
    test: list[tuple[Case, Conversation, Match | None]] = []
    for case in cases(items):
        if case.item_id not in matched:
            item = conversation(by_item[case.item_id])
            matched[case.item_id] = (item, {t.name: m for t, m in index.match(item, case.source)})
        item, found = matched[case.item_id]
        if case.part == "test":
            test.append((case, item, found.get(case.topic)))
            continue
        if case.topic not in found:
            continue
        _, state = decide(item, by_name[case.topic], found[case.topic], NOW, policy)
        if every or state is DeliveryState.PENDING:  # seen: the simulated team claims it or says "not relevant"
            bad, good = texts.setdefault(case.topic, ([], []))
            bucket = good if case.worth_joining else bad
            if len(bucket) < FEEDBACK_TEXTS:
                bucket.append(f"{item.title}\n{item.text}")
    words = learn_all(texts)
    models = team_models(policy.meaning, texts, declared)
    seen = "every matched item, held ones too" if every else "posted alerts only"
    print(f"SIMULATED feedback from the dev part's labels ({seen}); figures on the test part")
    for name in sorted(texts):
        bad, good = texts[name]
        learned = "model by meaning" if name in models else "words" if name in words else "nothing yet"
        print(f"  {name:<22} joined {len(good):>3}  dismissed {len(bad):>3}  -> {learned}")
    ways: dict[str, tuple[dict[str, dict[str, float]], dict[str, TeamModel]]] = {
        "no feedback": ({}, {}),
        "words only (before)": (words, {}),
        "words + model": (words, models),
    }
    for label, (w, m) in ways.items():
        tally, per_topic = _score(test, by_name, policy, w, m)
        print(f"\n{label:<20} {tally.brief()}")
        for name in sorted(per_topic):
            print(f"    {name:<22} {per_topic[name].brief()}")
    return 0


def _score(
    test: list[tuple[Case, Conversation, Match | None]],
    by_name: dict[str, Topic],
    policy: ScoringPolicy,
    words: dict[str, dict[str, float]],
    models: dict[str, TeamModel],
) -> tuple[Tally, dict[str, Tally]]:
    tally: Tally = Tally()
    per_topic: defaultdict[str, Tally] = defaultdict(Tally)
    for case, item, found in test:
        alerted = False
        if found is not None:
            topic = by_name[case.topic]
            model = models.get(topic.name)
            _, state = decide(item, topic, found, NOW, policy, words.get(topic.name), model)
            alerted = state is DeliveryState.PENDING
        tally.add(alerted, case.worth_joining)
        per_topic[case.topic].add(alerted, case.worth_joining)
    return tally, dict(per_topic)


if __name__ == "__main__":
    raise SystemExit(main())
