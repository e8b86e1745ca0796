"""A topic's meaning (about, examples, counter_examples, without_keyword, accept) and the team's languages load from
the file; mistakes are reported with the key and what would be right."""

from __future__ import annotations

from .conftest import Load, Problems

TOPIC = '[[topics]]\nname = "pg"\nquery = "postgres"\n'


def test_a_topics_meaning_loads(load: Load) -> None:
    settings = load(
        TOPIC + 'about = """People running PostgreSQL\nin production."""\n'
        'examples = ["Replica lag after a migration?", "  Autovacuum cannot keep up  ",'
        ' "Replica lag after a migration?"]\n'
        'counter_examples = ["Hiring a DBA"]\nwithout_keyword = true\naccept = "Only questions, not vendor news"\n'
    )
    (topic,) = settings.topics
    assert topic.about == "People running PostgreSQL\nin production."
    assert topic.examples == ("Replica lag after a migration?", "Autovacuum cannot keep up")
    assert topic.counter_examples == ("Hiring a DBA",)
    assert topic.without_keyword is True
    assert topic.accept == "Only questions, not vendor news"
    assert settings.redacted()["topics"][0]["examples"] == list(topic.examples)


def test_a_topic_without_meaning_keeps_working_on_its_query(load: Load) -> None:
    (topic,) = load(TOPIC).topics
    assert (topic.about, topic.examples, topic.counter_examples, topic.without_keyword, topic.accept) == (
        "",
        (),
        (),
        False,
        "",
    )
    assert "about" not in load(TOPIC).redacted()["topics"][0]


def test_without_keyword_needs_about(problems: Problems) -> None:
    assert problems(TOPIC + "without_keyword = true\n") == [
        'earshot.toml: topics[1] "pg".without_keyword: needs about; say in plain words what the topic is about, '
        'like about = "Teams running PostgreSQL in production", so meaning can stand in for the keyword'
    ]


def test_examples_must_be_a_list_of_words(problems: Problems) -> None:
    [message] = problems(TOPIC + 'examples = "Replica lag?"\n')
    assert message.startswith('earshot.toml: topics[1] "pg".examples = "Replica lag?": expected a list of posts')
    [message] = problems(TOPIC + "counter_examples = [1, 2]\n")
    assert "counter_examples" in message and "expected a list of posts not worth joining in quotes" in message
    [message] = problems(TOPIC + 'examples = ["fine", " "]\n')
    assert "number 2 is empty" in message


def test_meaning_has_length_limits(problems: Problems) -> None:
    [message] = problems(TOPIC + f'about = "{"x" * 1001}"\n')
    assert message.endswith("too long (1001 characters); say it in at most 1000")
    [message] = problems(TOPIC + f'examples = ["{"y" * 501}"]\n')
    assert "number 1 is 501 characters long; keep each to 500" in message
    many = ", ".join(f'"post {n}"' for n in range(21))
    [message] = problems(TOPIC + f"examples = [{many}]\n")
    assert "21 given; a few telling ones work best, at most 20" in message
    [message] = problems(TOPIC + 'accept = ""\n')
    assert "accept" in message and "empty" in message


def test_the_teams_languages_load_and_default_to_any(load: Load, problems: Problems) -> None:
    assert load('[scoring]\nlanguages = ["EN", "de", "en"]\n').scoring.languages == ("en", "de")
    assert load("[scoring]\n").scoring.languages == ()
    [message] = problems('[scoring]\nlanguages = ["english"]\n')
    assert message.startswith('earshot.toml: scoring.languages[1] = "english": not a two-letter ISO 639-1')
