"""[ours], [[rules]] and a teammate's own products: typed values, defaults, and errors that say what would be right."""

from __future__ import annotations

from earshot.bot.guest.ours import Ours
from earshot.bot.guest.rules import DISCLOSE, LIMIT_PROMOTION, cards_for

from .conftest import Load, Problems

GOOD = """
[ours]
products = ["Tidewater", "Tidewater Cloud", "tidewater"]
domains = ["tidewater.dev", "https://www.Tidewater.io/pricing"]

[[team]]
member = "U1"
products = ["Loupe"]
domains = ["loupe.sh"]

[[team]]
member = "U2"
handles = { hackernews = "bob" }

[[rules]]
community = "reddit:r/Python"
title = "Showcase on Saturdays"
text = "Self-promotion goes in the Saturday thread. Disclose any affiliation."
url = "https://www.reddit.com/r/Python/about/rules"

[[rules]]
community = "hackernews"
id = "hackernews:generated"
enabled = false

[[rules]]
community = "stackexchange"
id = "stackexchange:traffic"
title = "Our reading"
text = "Answer the question; a link is a footnote."
url = "https://stackoverflow.com/help/promotion"
quoted = false
asks = ["limit-promotion"]
"""


def test_the_sections_become_typed_settings(load: Load) -> None:
    guest = load(GOOD).guest
    assert guest.ours == Ours(("Tidewater", "Tidewater Cloud"), ("tidewater.dev", "tidewater.io"))
    assert guest.people == {"U1": Ours(("Loupe",), ("loupe.sh",))}
    first, second = guest.rules
    assert (first.id, first.community, first.quoted) == ("reddit:r/python:team-1", "reddit:r/python", True)
    assert first.asks == (DISCLOSE, LIMIT_PROMOTION)  # read from its words
    assert (second.id, second.quoted, second.asks) == ("stackexchange:traffic", False, (LIMIT_PROMOTION,))
    assert guest.dropped == ("hackernews:generated",)


def test_the_teams_cards_reach_the_thread_they_are_for(load: Load) -> None:
    guest = load(GOOD).guest
    hn = cards_for("hackernews", None, guest.rules, dropped=guest.dropped)
    assert [c.id for c in hn] == ["hackernews:promotion"]
    python = cards_for("reddit", "python", guest.rules, dropped=guest.dropped)
    assert "reddit:r/python:team-1" in [c.id for c in python]
    se = cards_for("stackexchange", "stackoverflow", guest.rules, dropped=guest.dropped)
    assert next(c for c in se if c.id == "stackexchange:traffic").title == "Our reading"


def test_nothing_set_means_nothing_is_ours_and_the_summary_is_as_before(load: Load) -> None:
    settings = load('[chat]\nchannel = "c"\n')
    assert not settings.guest.ours
    assert settings.guest.rules == ()
    assert "ours" not in settings.redacted()
    assert load(GOOD).redacted()["ours"] == {
        "products": ["Tidewater", "Tidewater Cloud"],
        "domains": ["tidewater.dev", "tidewater.io"],
    }


def test_bad_values_say_what_would_be_right(problems: Problems) -> None:
    found = "\n".join(
        problems(
            """
[ours]
products = ["", 3]
domains = ["not a domain", "localhost"]
brands = ["x"]

[[team]]
member = "U1"
domains = ["http://"]

[[rules]]
community = "hackrnews"
text = "x"
url = "https://x.example"

[[rules]]
title = "No community"
text = "x"
url = "https://x.example"

[[rules]]
community = "reddit:r/python"
title = "No text, no url"

[[rules]]
community = "hackernews"
enabled = false

[[rules]]
community = "lobsters"
text = "x"
url = "ftp://x.example"
asks = ["be-nice"]
"""
        )
    )
    assert "ours.products[1]" in found and "ours.products[2]" in found
    assert 'ours.domains[1] = "not a domain": not a domain; write it like "tidewater.dev"' in found
    assert 'ours.domains[2] = "localhost": not a domain' in found
    assert "ours.brands: unknown key" in found
    assert "team[1].domains[1]" in found
    assert 'rules[1].community = "hackrnews": \'hackrnews\' is not a source kind; did you mean "hackernews"?' in found
    assert 'rules[2].community: missing; say where the rule applies, like community = "reddit:r/python"' in found
    assert 'rules[3].text: missing; a rule card needs its text, like text = "Disclose your affiliation."' in found
    assert "rules[3].url: missing; a rule card needs its url" in found
    assert 'rules[4].id: missing; say which card to turn off, like id = "hackernews:generated"' in found
    assert "rules[5].url" in found
    assert "rules[5].asks[1]" in found and "disclose" in found
