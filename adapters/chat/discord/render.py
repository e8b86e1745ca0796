"""Embeds and text for Discord, with every piece of third-party text neutralised so it cannot ping or forge links.

Two layers keep feed text harmless: every message goes out with ``AllowedMentions.none()`` and, because Discord
once ignored that, the text itself is defused (mentions broken with a zero-width space, markdown escaped so a
masked link ``[text](url)`` shows as written).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

import discord

from earshot.bot.actions.alert_card import AlertCard, Said, outcome_name
from earshot.bot.domain import Alert, Digest, OutcomeKind, Sighting
from earshot.bot.text import clean, excerpt
from earshot.bot.urls import web_url

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_MAX = 1024
FIELDS_MAX = 25
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000
FOOTER_MAX = 2048

ZWSP = "\u200b"
CLAIM_EMOJI = "\N{RAISED HAND}"

# Characters with a markdown meaning anywhere in a line: escaped with a backslash, which Discord then hides.
_INLINE = re.compile(r"([\\*_~`|\[\]<>])")
# Markdown that only counts at the start of a line: headings, subtext (-#), quotes and lists.
_LINE_START = re.compile(r"^(\s*)([#>\-+]|\d+\.)", re.MULTILINE)
_MENTION = re.compile(r"@")


def neutralise(text: str) -> str:
    """Third-party text made inert: no pings, no mentions of users, roles or channels, no masked links."""
    text = clean(text)
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    # "@everyone", "@here" and "<@id>" (already "\<@id\>") all need an "@" followed by a name: break that pair.
    # "<#id>", "<:emoji:id>", "</command:id>" and "<t:...>" need "<" right before them: break that too.
    return _MENTION.sub("@" + ZWSP, text).replace("\\<", "\\<" + ZWSP)


def outcome_words(kind: OutcomeKind, label: str | None = None) -> str:
    """An outcome's name as markdown: a team's own label (kind CUSTOM) neutralised, since people type them."""
    return one_line(outcome_name(kind, label), 100)


def one_line(text: str, limit: int) -> str:
    """Third-party text on one line, cut to ``limit`` characters after neutralising."""
    return cut(neutralise(excerpt(text, limit)), limit)


def cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, never ending in half an escape."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    # A trailing odd run of backslashes would escape the ellipsis (or whatever follows).
    trailing = len(head) - len(head.rstrip("\\"))
    if trailing % 2:
        head = head[:-1]
    return head + "…"


def safe_url(url: str | None, limit: int = 2000) -> str | None:
    """An http(s) URL fit for an embed or a link (quoted so it cannot close a markdown link), or None."""
    target = web_url(url, limit)
    if target is None:
        return None
    # "@" is %-encoded too: it may stand in a path, where "@everyone" would read as a ping in message text.
    quoted = target.replace("(", "%28").replace(")", "%29").replace("@", "%40")
    return quoted if len(quoted) <= limit else None


def link(label: str, url: str | None, limit: int = 200) -> str:
    """A masked link we build ourselves: the label neutralised, the URL checked; plain label without a URL."""
    text = one_line(label, limit) or "link"
    target = safe_url(url)
    return f"[{text}]({target})" if target else text


def mention(user_id: str) -> str:
    """A user mention built from an id we stored (digits only; anything else is shown as neutralised text)."""
    return f"<@{user_id}>" if user_id.isascii() and user_id.isdigit() else one_line(user_id, 100)


def stamp(when: datetime, style: str = "R") -> str:
    """A Discord timestamp: the reader's client renders it ("3 hours ago") in their own time zone."""
    return f"<t:{int(when.timestamp())}:{style}>"


def alert_embed(card: AlertCard) -> discord.Embed:
    """An alert's card as an embed: title linking to the thread, context, facts, score and reasons, claim,
    outcomes and how it is going. The one drawing of an alert's embed on Discord: the post and every redraw."""
    embed = discord.Embed(
        title=cut(neutralise(excerpt(card.title, TITLE_MAX)) or "(untitled)", TITLE_MAX),
        url=safe_url(card.url),
        description=_context(card),
        colour=_colour(card),
    )
    place = " · ".join(p for p in (card.source, one_line(card.community, 100) if card.community else "") if p)
    embed.add_field(name="Source", value=cut(place or "unknown", FIELD_MAX), inline=True)
    if card.created_at is not None:
        embed.add_field(name="Age", value=stamp(card.created_at), inline=True)
    embed.add_field(name="Topic", value=one_line(card.topic, 200), inline=True)
    reasons = "\n".join(f"• {one_line(r, 200)}" for r in card.reasons)
    embed.add_field(name=f"Score {card.score}/100", value=cut(reasons or "—", FIELD_MAX), inline=False)
    facts = _facts(card)
    if facts:
        embed.add_field(name="Thread", value=cut(facts, FIELD_MAX), inline=False)
    if card.also_seen:
        embed.add_field(name="Also seen", value=_sightings(card.also_seen), inline=False)
    if card.claimed_by:
        when = f" {stamp(card.claimed_at)}" if card.claimed_at else ""
        embed.add_field(name="Claimed", value=f"by {mention(card.claimed_by)}{when}", inline=False)
    if card.outcomes:
        embed.add_field(name="Outcomes", value=outcome_lines(card.outcomes), inline=False)
    if card.progress:
        embed.add_field(name="How it went", value=one_line(card.progress, 1000), inline=False)
    embed.set_footer(text=f"alert {card.alert_id} · react {CLAIM_EMOJI} or press Claim to take it")
    return fit(embed)


def follow_up_text(alert: Alert) -> str:
    """The question to the claimer under their alert: "<@claimer>, you claimed **title** 3 h ago. How did it go?"."""
    claimer = mention(alert.claimed_by or "")
    when = f" {stamp(alert.claimed_at)}" if alert.claimed_at else ""
    return f"{claimer}, you claimed **{one_line(alert.conversation.title, 150)}**{when}. How did it go?"


def outcome_lines(outcomes: Sequence[Said]) -> str:
    """Recorded outcomes, newest last, each with who and when; trimmed to one field."""
    lines = []
    for o in outcomes:
        note = f": {one_line(o.note, 300)}" if o.note else ""
        lines.append(f"• {one_line(o.name, 100)} by {mention(o.actor)} {stamp(o.at)}{note}")
    return _join_within(lines, FIELD_MAX)


def _context(card: AlertCard) -> str:
    if card.summarised:
        lines = [f"**{one_line(card.question, 600)}**"] if card.question else []
        lines += [f"• {one_line(said, 400)}" for said in card.said]
        text = "\n".join(lines)
    else:
        text = one_line(card.question, 600) if card.question else ""
    if card.author:
        text = f"by {one_line(card.author, 100)}\n{text}" if text else f"by {one_line(card.author, 100)}"
    return cut(text, DESCRIPTION_MAX)


def _facts(card: AlertCard) -> str:
    facts = []
    if card.points is not None:
        facts.append(f"{card.points} points")
    if card.replies is not None:
        facts.append(f"{card.replies} replies")
    if card.matched:
        facts.append("matched " + ", ".join(one_line(m, 60) for m in card.matched))
    if card.link:
        facts.append(link("linked page", card.link))
    return " · ".join(facts)


def _sightings(sightings: Iterable[Sighting]) -> str:
    lines = []
    for s in sightings:
        where = " · ".join(p for p in (s.source, one_line(s.community, 60) if s.community else "") if p)
        size = f" ({s.thread_size} replies)" if s.thread_size is not None else ""
        lines.append(f"• {where}: {link(s.title, s.url, 120)}{size}")
    return _join_within(lines, FIELD_MAX)


def _join_within(lines: Sequence[str], limit: int) -> str:
    """Whole lines that fit in ``limit``, with a count of those left out."""
    kept: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        more = f"… and {len(lines) - i} more"
        last = i == len(lines) - 1
        # Keep room for the "… and N more" line unless this line is the last one.
        if used + len(line) + (0 if last else 1 + len(more)) > limit:
            kept.append(more)
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept) or "—"


def _colour(card: AlertCard) -> discord.Colour:
    if card.not_relevant:
        return discord.Colour.light_grey()
    if card.claimed_by:
        return discord.Colour.green()
    return discord.Colour.blurple()


def embed_size(embed: discord.Embed) -> int:
    """Characters Discord counts against the 6,000 limit: title, description, field names and values, footer."""
    return len(embed)


def fit(embed: discord.Embed) -> discord.Embed:
    """Keep an embed within Discord's limits, shortening the description first, then dropping late fields.

    A field whose name or value is empty (a topic or line of nothing but controls) gets a dash: Discord refuses
    an empty one, and with it the whole message, on every retry.
    """
    while len(embed.fields) > FIELDS_MAX:
        embed.remove_field(-1)
    for index, field in enumerate(embed.fields):
        name = cut((field.name or "").strip() or "—", FIELD_NAME_MAX)
        value = cut((field.value or "").strip() or "—", FIELD_MAX)
        if (name, value) != (field.name, field.value):
            embed.set_field_at(index, name=name, value=value, inline=bool(field.inline))
    over = embed_size(embed) - EMBED_TOTAL_MAX
    if over > 0 and embed.description:
        embed.description = cut(embed.description, max(len(embed.description) - over, 1))
    while embed_size(embed) > EMBED_TOTAL_MAX and embed.fields:
        embed.remove_field(-1)
    return embed


def notice_text(level: str, text: str) -> str:
    """An operational notice as message content."""
    icon = {"error": "\N{NO ENTRY}", "warning": "\N{WARNING SIGN}"}.get(level, "\N{INFORMATION SOURCE}")
    return cut(f"{icon} {neutralise(text)}", CONTENT_MAX)


def digest_embed(digest: Digest) -> discord.Embed:
    """Alerts held back by the flood guard, as one embed listing each as a link."""
    lines = [
        f"• {link(a.conversation.title, a.conversation.url, 150)} · {one_line(a.topic, 60)} · score {a.score}"
        for a in digest.alerts
    ]
    embed = discord.Embed(
        title=f"{len(digest.alerts)} more conversation(s) since {digest.since:%H:%M} UTC",
        description=_join_within(lines, DESCRIPTION_MAX),
        colour=discord.Colour.blurple(),
    )
    return fit(embed)


def answer_text(text: str, alerts: Sequence[Alert] = (), *, ok: bool = True) -> str:
    """A command's answer as message content: its text neutralised, the alerts as links, within 2,000."""
    body = neutralise(text)
    if not ok:
        body = f"\N{WARNING SIGN} {body}"
    lines = [
        f"• {link(a.conversation.title, a.conversation.url, 120)} · {one_line(a.topic, 40)} (alert {a.id})"
        for a in alerts
    ]
    if not lines:
        return cut(body, CONTENT_MAX)
    room = CONTENT_MAX - len(body) - 1
    return cut(body, CONTENT_MAX) if room < 40 else body + "\n" + _join_within(lines, room)
