"""What counts as ours: product names as whole words, links to our domains and their subdomains, per person."""

from __future__ import annotations

import pytest

from earshot.bot.guest.ours import Ours, clean_domain, ours_for, products_in

OURS = Ours(("Tidewater", "Tidewater Cloud"), ("tidewater.dev",))


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("Try Tidewater.", 4),
        ("try TIDEWATER", 4),
        ("Tidewater's scheduler", 0),
        ("Tidewaters everywhere", 0),
        ("see https://tidewater.dev/docs", 4),
        ("see [docs](https://docs.tidewater.dev/x)", 11),
        ("see www.tidewater.dev", 4),
        ("see https://nottidewater.dev", None),  # another domain that ends the same way
        ("the tide and the water", None),
        ("tidewater-like queues", None),  # part of another word
        ("my.tidewater.example is not ours", None),
    ],
)
def test_first_mention(text: str, at: int | None) -> None:
    assert OURS.first_mention(text) == at


def test_nothing_configured_means_nothing_is_ours() -> None:
    assert not Ours()
    assert Ours().first_mention("Tidewater https://tidewater.dev") is None


def test_a_person_adds_their_own_to_the_teams() -> None:
    people = {"U1": Ours(("Loupe",), ("loupe.sh",))}
    mine = ours_for(OURS, people, "U1")
    assert mine.products == ("Tidewater", "Tidewater Cloud", "Loupe")
    assert mine.domains == ("tidewater.dev", "loupe.sh")
    assert ours_for(OURS, people, "U2") == OURS
    assert ours_for(OURS, people, None) == OURS


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("Tidewater.dev", "tidewater.dev"), ("https://www.tidewater.dev/x", "tidewater.dev"), (" www.a.io. ", "a.io")],
)
def test_clean_domain(raw: str, clean: str) -> None:
    assert clean_domain(raw) == clean


def test_products_in_drops_blanks_and_repeats() -> None:
    assert products_in(["Tidewater", " tidewater ", "", "Loupe"]) == ("Tidewater", "Loupe")
