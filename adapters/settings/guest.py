"""[ours] and [[rules]]: what counts as the team's own, and the team's own rule cards per community.

Kept apart from :mod:`.sections` so the good-guest settings read in one place; ``[[team]]`` entries take
``products`` and ``domains`` of their own (a person's own on top of the team's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainValidator

from earshot.bot.guest.ours import Ours, clean_domain, products_in
from earshot.bot.guest.rules import ASKS, RuleCard, asks_of, community_key

from . import fields

_DOMAIN = re.compile(r"(?=.{1,253}\Z)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+")
_PLACE = re.compile(r"[^\s]{1,200}")


def domain(value: object) -> str:
    """A web domain like "tidewater.dev" (a URL is cut down to its host)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError('expected a domain in quotes, like "tidewater.dev"')
    cleaned = clean_domain(value)
    if not _DOMAIN.fullmatch(cleaned):
        raise ValueError('not a domain; write it like "tidewater.dev" (links to it and its subdomains count as ours)')
    return cleaned


def community(value: object) -> str:
    """A community: a feed kind ("hackernews"), or a kind and a place ("reddit:r/python", "discourse:forum.x.org")."""
    from earshot.adapters.sources.registry import declarations

    kinds = tuple(declarations())

    example = '"hackernews", "reddit:r/python" or "stackexchange:superuser"'
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a community in quotes, like {example}")
    kind, _, place = value.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in kinds:
        close = fields.suggest(kind, kinds)
        hint = f'did you mean "{close}"? ' if close else ""
        raise ValueError(f"{kind!r} is not a source kind; {hint}write it like {example}")
    if place and not _PLACE.fullmatch(place.strip()):
        raise ValueError(f"the place after {kind}: has spaces or is too long; write it like {example}")
    return community_key(kind, place.strip() or None)


_Product = Annotated[str, PlainValidator(fields.text("a product name", '"Tidewater"', max_length=100))]
_Domain = Annotated[str, PlainValidator(domain)]


class OursSection(BaseModel):
    """[ours]"""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    products: list[_Product] = []
    domains: list[_Domain] = []


class RuleEntry(BaseModel):
    """One [[rules]] table: a rule of one community, or a built-in card replaced or turned off."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    community: Annotated[str, PlainValidator(community)]
    id: Annotated[str | None, PlainValidator(fields.text("a rule id", '"reddit:r/python:5"', max_length=100))] = None
    title: Annotated[str | None, PlainValidator(fields.text("a short title", '"No self-promotion"'))] = None
    text: Annotated[
        str | None, PlainValidator(fields.text("the rule's words", '"Disclose your affiliation."', max_length=2000))
    ] = None
    url: Annotated[str | None, PlainValidator(fields.http_url)] = None
    quoted: Annotated[bool, PlainValidator(fields.flag)] = True
    asks: list[Annotated[str, PlainValidator(fields.choice("ask", ASKS))]] | None = None
    enabled: Annotated[bool, PlainValidator(fields.flag)] = True


@dataclass(frozen=True)
class GuestSettings:
    """What counts as ours (the team's and each person's) and the team's rule cards and dropped card ids."""

    ours: Ours = field(default_factory=Ours)
    people: dict[str, Ours] = field(default_factory=dict)
    rules: tuple[RuleCard, ...] = ()
    dropped: tuple[str, ...] = ()

    def summary(self) -> dict[str, object]:
        """The printable part, empty when nothing is set (so a file without these keys prints as before)."""
        out: dict[str, object] = {}
        if self.ours:
            out["ours"] = {"products": list(self.ours.products), "domains": list(self.ours.domains)}
        if self.rules or self.dropped:
            out["rules"] = [card.id for card in self.rules] + [f"{i} (off)" for i in self.dropped]
        return out


def build_guest(ours: OursSection, rules: Iterable[RuleEntry], team: Iterable[BaseModel]) -> GuestSettings:
    """The typed good-guest settings from the checked sections (rule problems were found by :func:`rule_problems`)."""
    cards: list[RuleCard] = []
    dropped: list[str] = []
    for n, e in enumerate(rules, start=1):
        card_id = e.id or f"{e.community}:team-{n}"
        if not e.enabled:
            dropped.append(card_id)
            continue
        text = e.text or ""
        asks = tuple(dict.fromkeys(e.asks)) if e.asks is not None else asks_of(text)
        cards.append(RuleCard(card_id, e.community, e.title or card_id, text, e.url or "", e.quoted, asks))
    people: dict[str, Ours] = {}
    for person in team:
        p = person.model_dump()
        if p.get("products") or p.get("domains"):
            people[p["member"]] = Ours(
                products_in(p.get("products") or ()), tuple(dict.fromkeys(p.get("domains") or ()))
            )
    return GuestSettings(
        Ours(products_in(ours.products), tuple(dict.fromkeys(ours.domains))), people, tuple(cards), tuple(dropped)
    )


def rule_problems(rules: object) -> list[tuple[tuple[str | int, ...], str]]:
    """Rules that cannot stand: an enabled rule needs text and a url (a card says where it is written)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if not isinstance(rules, list):
        return found
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        if rule.get("enabled") is False:
            if "id" not in rule:
                found.append(
                    (("rules", i, "id"), 'missing; say which card to turn off, like id = "hackernews:generated"')
                )
            continue
        for key, example in (("text", 'text = "Disclose your affiliation."'), ("url", 'url = "https://…/rules"')):
            if key not in rule:
                found.append((("rules", i, key), f"missing; a rule card needs its {key}, like {example}"))
    return found
