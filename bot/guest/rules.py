"""Rule cards: what each community asks of a reply, quoted and linked where the text could be sourced.

A card is quoted (``quoted=True``) only when its text was checked word for word against the community's page or a
faithful copy of it; otherwise it is a paraphrase and says so, with the link to read the real thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# What a card asks of a reply, as the reply check reads it.
DISCLOSE = "disclose"  # say how you are connected to what you mention
LIMIT_PROMOTION = "limit-promotion"  # promotion only now and then, never the point of the reply
NO_GENERATED = "no-generated"  # no generated or model-edited text
ASKS = (DISCLOSE, LIMIT_PROMOTION, NO_GENERATED)


@dataclass(frozen=True)
class RuleCard:
    """One rule of one community: its text (quoted or paraphrased), where it is written, and what it asks."""

    id: str
    community: str  # a source kind ("hackernews"), or kind:place ("reddit:r/python")
    title: str
    text: str
    url: str
    quoted: bool = True
    asks: tuple[str, ...] = ()
    share: float | None = None  # the largest share of one's posts that may promote, where the rule gives one

    def cite(self) -> str:
        """``Title: "text" (url)``, or ``Title (paraphrase): text (url)``."""
        if self.quoted:
            return f'{self.title}: "{self.text}" ({self.url})'
        return f"{self.title} (paraphrase): {self.text} ({self.url})"


HN_GUIDELINES = "https://news.ycombinator.com/newsguidelines.html"
SE_PROMOTION = "https://stackoverflow.com/help/promotion"
LOBSTERS_ABOUT = "https://lobste.rs/about"
REDDIT_POLICY = "https://redditinc.com/policies/content-policy"
REDDIQUETTE = "https://support.reddithelp.com/hc/en-us/articles/205926439-Reddiquette"
GITHUB_GUIDELINES = "https://docs.github.com/en/site-policy/github-terms/github-community-guidelines"
DISCOURSE_FAQ = "https://meta.discourse.org/faq"

BUILT_IN: tuple[RuleCard, ...] = (
    RuleCard(
        "hackernews:promotion",
        "hackernews",
        "HN guidelines, promotion",
        "Please don't use HN primarily for promotion.",
        HN_GUIDELINES,
        asks=(LIMIT_PROMOTION,),
    ),
    RuleCard(
        "hackernews:generated",
        "hackernews",
        "HN guidelines, generated comments",
        "Don't post generated or AI-edited comments; HN is for conversation between humans.",
        HN_GUIDELINES,
        quoted=False,  # the wording is reported two ways; only "HN is for conversation between humans." is sure
        asks=(NO_GENERATED,),
    ),
    RuleCard(
        "stackexchange:disclose",
        "stackexchange",
        "Stack Exchange, self-promotion",
        "However, you must disclose your affiliation in your answers.",
        SE_PROMOTION,
        asks=(DISCLOSE, LIMIT_PROMOTION),
    ),
    RuleCard(
        "stackexchange:traffic",
        "stackexchange",
        "Stack Exchange, answers that only drive traffic",
        "Post good, relevant answers; an answer that exists to send readers to your own site or product, or that "
        "is only a link, is treated as spam.",
        SE_PROMOTION,
        quoted=False,
        asks=(LIMIT_PROMOTION,),
    ),
    RuleCard(
        "lobsters:self-promotion",
        "lobsters",
        "Lobsters, self-promotion",
        "It's great to have authors participate in the community, but not to exploit it as a write-only tool for "
        "product announcements or driving traffic to their work. As a rule of thumb, self-promo should be less "
        "than a quarter of one's stories and comments.",
        LOBSTERS_ABOUT,
        asks=(LIMIT_PROMOTION,),
        share=0.25,
    ),
    RuleCard(
        "reddit:content-policy",
        "reddit",
        "Reddit Content Policy, authentic participation",
        "Post authentic content in communities where you have a personal interest; no spamming or content "
        "manipulation, and follow each community's own rules.",
        REDDIT_POLICY,
        quoted=False,
        asks=(LIMIT_PROMOTION,),
    ),
    RuleCard(
        "reddit:reddiquette",
        "reddit",
        "Reddiquette, self-promotion",
        "Take part in the community rather than only posting your own links, and say so when what you share is "
        "your own.",
        REDDIQUETTE,
        quoted=False,
        asks=(DISCLOSE, LIMIT_PROMOTION),
    ),
    RuleCard(
        "github:guidelines",
        "github",
        "GitHub Community Guidelines, spam and disruption",
        "Keep comments on topic for the issue or discussion; unsolicited advertising and posts that promote a "
        "product off the point are treated as spam.",
        GITHUB_GUIDELINES,
        quoted=False,
        asks=(LIMIT_PROMOTION,),
    ),
    RuleCard(
        "discourse:guidelines",
        "discourse",
        "Discourse community guidelines, no spam",
        "Help make the forum a good place to talk: stay on the topic, and don't post advertising or links whose "
        "point is to promote; many forums also ask you to say how you are connected to what you recommend.",
        DISCOURSE_FAQ,
        quoted=False,
        asks=(LIMIT_PROMOTION,),
    ),
)

# Words in a rule's own text that say what it asks: for subreddit rules and for config rules given without ``asks``.
_ASK_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (DISCLOSE, re.compile(r"\bdisclos|\baffiliat|\bconflicts? of interest", re.IGNORECASE)),
    (
        LIMIT_PROMOTION,
        re.compile(r"self[- ]?promo|\bpromot|\badverti|\bspam|\bshill|\bmarketing|\bsolicit", re.IGNORECASE),
    ),
    (
        NO_GENERATED,
        re.compile(
            r"\bAI[- ]?(?:generated|written|edited|content)|chat ?gpt|\bLLMs?\b|generated (?:content|text|"
            r"comments?|answers?)|large language model",
            re.IGNORECASE,
        ),
    ),
)


def asks_of(text: str) -> tuple[str, ...]:
    """What a rule asks, read from its words (disclosure, limits on promotion, no generated text)."""
    return tuple(ask for ask, pattern in _ASK_WORDS if pattern.search(text))


def community_key(source: str, community: str | None = None) -> str:
    """The key cards are filed under: ``reddit:r/python``, ``stackexchange:superuser``, or the kind alone."""
    kind = source.strip().lower()
    place = (community or "").strip().lower()
    if kind == "reddit" and place and not place.startswith("r/"):
        place = f"r/{place.removeprefix('/r/')}"
    return f"{kind}:{place}" if place else kind


def cards_for(
    source: str,
    community: str | None,
    extra: Sequence[RuleCard] = (),
    *,
    place_cards: Sequence[RuleCard] = (),
    dropped: Iterable[str] = (),
) -> tuple[RuleCard, ...]:
    """The cards for one thread: built-in ones for its kind, the place's own (a subreddit's), then the team's.

    A team card with the id of another replaces it; ids in ``dropped`` are left out. Cards for the kind apply to
    every place of that kind; cards for ``kind:place`` only to that place.
    """
    key = community_key(source, community)
    kind = key.split(":", 1)[0]
    wanted = {kind, key}
    chosen: dict[str, RuleCard] = {}
    for card in (*BUILT_IN, *place_cards, *extra):
        if card.community.lower() in wanted:
            chosen[card.id] = card  # later ones (the team's) replace earlier ones of the same id
    gone = set(dropped)
    return tuple(card for card in chosen.values() if card.id not in gone)


def asking(cards: Iterable[RuleCard], ask: str) -> tuple[RuleCard, ...]:
    """The cards that ask ``ask``."""
    return tuple(card for card in cards if ask in card.asks)
