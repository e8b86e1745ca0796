"""What counts as the team's own: product names and web domains, team-wide and per person."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from earshot.bot.guest.words import host, links


@dataclass(frozen=True)
class Ours:
    """The team's products (names as people write them) and domains (a link to one, or a subdomain, is ours)."""

    products: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    _patterns: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Whole words only, any case: "Tidewater" is ours, "tidewaters" is a plural someone may use, "tide" is not.
        patterns = tuple(
            re.compile(rf"(?<![\w.-]){re.escape(name)}(?:'s|s)?(?![\w-])", re.IGNORECASE) for name in self.products
        )
        object.__setattr__(self, "_patterns", patterns)

    def __bool__(self) -> bool:
        return bool(self.products or self.domains)

    def with_(self, other: Ours) -> Ours:
        """These and ``other``'s, without repeats (a person's own on top of the team's)."""
        return Ours(
            tuple(dict.fromkeys((*self.products, *other.products))),
            tuple(dict.fromkeys((*self.domains, *other.domains))),
        )

    def is_our_link(self, url: str) -> bool:
        """Whether the URL's host is one of the domains or under one."""
        where = host(url)
        return any(where == d or where.endswith(f".{d}") for d in self.domains)

    def our_links(self, text: str) -> list[str]:
        """The links in the text that point at our domains."""
        return [url for url in links(text) if self.is_our_link(url)]

    def first_mention(self, text: str) -> int | None:
        """Where the text first names or links something of ours (a character offset), or None."""
        found = [m.start() for p in self._patterns for m in p.finditer(text)]
        for url in self.our_links(text):
            found.append(text.find(url))
        found = [at for at in found if at >= 0]
        return min(found) if found else None

    def mentions(self, text: str) -> bool:
        """Whether the text names or links something of ours."""
        return self.first_mention(text) is not None


def clean_domain(value: str) -> str:
    """A domain as compared: lower case, no scheme, no ``www.``, no path."""
    text = value.strip().lower()
    text = host(text) if "/" in text or ":" in text else text
    return text.removeprefix("www.").strip(".")


def ours_for(team: Ours, people: Mapping[str, Ours], member: str | None) -> Ours:
    """What counts as ours for one person: the team's, plus that person's own when they have some."""
    own = people.get(member or "")
    return team.with_(own) if own is not None else team


def products_in(names: Iterable[str]) -> tuple[str, ...]:
    """Product names without blanks or repeats (case kept, compared without case)."""
    seen: dict[str, str] = {}
    for name in names:
        if name.strip():
            seen.setdefault(name.strip().lower(), name.strip())
    return tuple(seen.values())
