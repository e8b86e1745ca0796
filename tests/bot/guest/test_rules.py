"""Rule cards: which apply to a thread, how a team's cards replace or drop built-in ones, what a rule's words ask."""

from __future__ import annotations

import pytest

from earshot.bot.guest.rules import (
    BUILT_IN,
    DISCLOSE,
    LIMIT_PROMOTION,
    NO_GENERATED,
    RuleCard,
    asks_of,
    cards_for,
    community_key,
)


def ids(cards: tuple[RuleCard, ...]) -> set[str]:
    return {card.id for card in cards}


@pytest.mark.parametrize(
    ("source", "community", "expected"),
    [
        ("hackernews", None, {"hackernews:promotion", "hackernews:generated"}),
        ("stackexchange", "superuser", {"stackexchange:disclose", "stackexchange:traffic"}),
        ("lobsters", "lobste.rs", {"lobsters:self-promotion"}),
        ("reddit", "r/python", {"reddit:content-policy", "reddit:reddiquette"}),
        ("github", "rq/rq", {"github:guidelines"}),
        ("discourse", "forum.example.org", {"discourse:guidelines"}),
        ("rss", None, set()),  # a blog's comments have no rules we know
    ],
)
def test_built_in_cards_by_community(source: str, community: str | None, expected: set[str]) -> None:
    assert ids(cards_for(source, community)) == expected


def test_every_built_in_card_links_to_an_https_page_and_says_what_it_asks() -> None:
    for card in BUILT_IN:
        assert card.url.startswith("https://"), card.id
        assert card.asks, card.id
        assert card.text.strip(), card.id


def test_lobsters_card_quotes_the_quarter_and_carries_the_share() -> None:
    (card,) = cards_for("lobsters", None)
    assert card.quoted
    assert "less than a quarter of one's stories and comments" in card.text
    assert card.share == 0.25


def test_a_paraphrase_says_so_when_cited() -> None:
    card = next(c for c in BUILT_IN if c.id == "reddit:reddiquette")
    assert not card.quoted
    assert card.cite().startswith("Reddiquette, self-promotion (paraphrase): ")
    quoted = next(c for c in BUILT_IN if c.id == "hackernews:promotion")
    assert quoted.cite() == (
        'HN guidelines, promotion: "Please don\'t use HN primarily for promotion." '
        "(https://news.ycombinator.com/newsguidelines.html)"
    )


def test_a_team_card_for_a_place_adds_to_the_kind_and_only_there() -> None:
    ours = RuleCard("py-5", "reddit:r/python", "No showcase on weekdays", "Showcase on Saturdays.", "https://x.example")
    assert "py-5" in ids(cards_for("reddit", "r/python", (ours,)))
    assert "py-5" in ids(cards_for("reddit", "python", (ours,)))  # the parser's "python" is the same place
    assert "py-5" not in ids(cards_for("reddit", "r/rust", (ours,)))


def test_a_team_card_with_a_built_in_id_replaces_it() -> None:
    softer = RuleCard("hackernews:promotion", "hackernews", "HN, our reading", "Promote rarely.", "https://x.example")
    (card,) = [c for c in cards_for("hackernews", None, (softer,)) if c.id == "hackernews:promotion"]
    assert card.text == "Promote rarely."


def test_dropped_ids_are_left_out() -> None:
    assert ids(cards_for("hackernews", None, dropped=("hackernews:generated",))) == {"hackernews:promotion"}


def test_place_cards_come_between_built_in_and_the_teams() -> None:
    sub = RuleCard(
        "reddit:r/python:1", "reddit:r/python", "No spam", "No spam.", "https://r.example", asks=(LIMIT_PROMOTION,)
    )
    team = RuleCard("reddit:r/python:1", "reddit:r/python", "Ours", "Team text.", "https://t.example")
    (card,) = [c for c in cards_for("reddit", "r/python", (team,), place_cards=(sub,)) if c.id == "reddit:r/python:1"]
    assert card.text == "Team text."


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("No self-promotion. Disclose any affiliation with projects you link.", (DISCLOSE, LIMIT_PROMOTION)),
        ("Spam and advertising will be removed.", (LIMIT_PROMOTION,)),
        ("No AI-generated content. Posts written by ChatGPT will be removed.", (NO_GENERATED,)),
        ("Be kind. Stay on topic.", ()),
        ("Said rules: said promotion", (LIMIT_PROMOTION,)),
    ],
)
def test_asks_of_a_rules_words(text: str, asks: tuple[str, ...]) -> None:
    assert asks_of(text) == asks


@pytest.mark.parametrize(
    ("source", "community", "key"),
    [
        ("Reddit", "r/Python", "reddit:r/python"),
        ("reddit", "python", "reddit:r/python"),
        ("hackernews", None, "hackernews"),
        ("stackexchange", "superuser", "stackexchange:superuser"),
    ],
)
def test_community_key(source: str, community: str | None, key: str) -> None:
    assert community_key(source, community) == key
