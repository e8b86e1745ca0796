"""Text renderings for `earshot explain` and `earshot alerts list`. Third-party text is cleaned before printing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from earshot.adapters.cli.views import table
from earshot.bot.domain import Alert, DeliveryState, Topic
from earshot.bot.finding.explain import Explanation, Leaf, TopicVerdict
from earshot.bot.records import ReasonKind
from earshot.bot.text import clean, excerpt

OUTCOMES = {
    "alert": "ALERT",
    "below_min": "BELOW MIN",
    "no match": "NO MATCH",
    "filtered": "FILTERED OUT",
    "disabled": "DISABLED",
}


def _at(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC" if when else "-"


def delivery_line(alert: Alert) -> str:
    """What happened to the alert in the outbox, including the flood guard, in one line."""
    if alert.state is DeliveryState.BELOW_MIN:
        language = next((r for r in alert.reasons if r.startswith("written in ")), None)
        if language is not None:
            return f"below_min: kept, not posted ({clean(language)})"
        return "below_min: kept, not posted (its score is under the topic's min_score)"
    if alert.state is DeliveryState.HELD:
        return f"held by the flood guard at {_at(alert.held_at)}: waits for its channel's next digest"
    if alert.state is DeliveryState.DELIVERED:
        if alert.held_at is not None:
            return (
                f"delivered in a digest: held by the flood guard at {_at(alert.held_at)}, "
                f"posted in digest {alert.message_ref} at {_at(alert.delivered_at)}"
            )
        return f"delivered at {_at(alert.delivered_at)} as message {alert.message_ref or '-'}"
    error = f", last error: {clean(alert.last_error)}" if alert.last_error else ""
    return f"pending ({alert.attempts} attempts{error})"


def _alert_block(alert: Alert, default_channel: str, asked: int | None) -> list[str]:
    mark = "  <- asked about" if alert.id == asked else ""
    lines = [
        f"  alert {alert.id} · topic {alert.topic} · #{alert.channel or default_channel} · "
        f"score {alert.score} · created {_at(alert.created_at)}{mark}",
        f"    delivery: {delivery_line(alert)}",
    ]
    if alert.reasons:
        lines.append("    reasons recorded: " + " · ".join(clean(r) for r in alert.reasons))
    if alert.matched:
        lines.append("    matched: " + ", ".join(alert.matched))
    claim = f"claimed by {clean(alert.claimed_by)} at {_at(alert.claimed_at)}" if alert.claimed_by else "not claimed"
    lines.append(f"    claim: {claim}")
    return lines


def _leaf_line(leaf: Leaf) -> str:
    sign = "-" if leaf.excluded else "+"
    if leaf.field in ("author", "source", "lang"):
        return f"      {sign} {leaf.label}: {'yes' if leaf.found else 'no'}"
    where = [w for w, hit in (("title", leaf.in_title), ("text", leaf.in_body)) if hit]
    found = f"found in the {' and the '.join(where)}" if where else "not found"
    scope = f" (looked for in the {leaf.field} only)" if leaf.field else ""
    return f"      {sign} {leaf.label}: {found}{scope}"


def _filters(topic: Topic) -> str:
    parts = []
    if topic.exclude_authors:
        parts.append("not by " + ", ".join(topic.exclude_authors))
    if topic.exclude_sources:
        parts.append("not from " + ", ".join(topic.exclude_sources))
    return "; ".join(parts)


def _verdict_block(v: TopicVerdict) -> list[str]:
    topic = v.topic
    head = f"  {topic.name}: {OUTCOMES.get(v.outcome, v.outcome)}"
    held = next((r for r in v.score.reasons if r.kind is ReasonKind.LANGUAGE), None) if v.score else None
    if held is not None:
        head += f" ({held.label})"
    elif v.score is not None:
        relation = ">=" if v.score.value >= topic.min_score else "<"
        head += f" (score {v.score.value} {relation} min_score {topic.min_score})"
    lines = [head, f"    query: {topic.query}  -> {'true' if v.query_holds else 'false'}"]
    if topic.languages:
        lines.append(f"    languages: {', '.join(topic.languages)} (replacing the team's)")
    lines += [_leaf_line(leaf) for leaf in v.leaves]
    filters = _filters(topic)
    if filters:
        verdict = f"dropped: {v.filtered}" if v.filtered else "passed"
        lines.append(f"    filters: {filters} -> {verdict}")
    if v.match is not None:
        where = "in the title" if v.match.in_title else "in the text only"
        lines.append(f"    matched terms: {', '.join(v.match.terms) or '-'} ({where})")
    if v.score is not None:
        lines.append(f"    score: base {v.base:+d}")
        lines += [f"      {r.weight:+4d}  {clean(r.label)} ({r.kind})" for r in v.score.reasons]
        lines.append(f"      = {v.score.value} (clamped to 0-100)")
    return lines


def explanation(e: Explanation, default_channel: str) -> str:
    """explain: the item, the alerts as recorded, and each topic's verdict re-run now."""
    s = e.stored
    c = s.conversation
    facts = [f"by {clean(c.author)}" if c.author else "", f"language: {e.language}"]
    if c.thread_size is not None:
        facts.append(f"{c.thread_size} replies")
    if e.thread:  # only what the source or the title says: no word is no evidence that a thread is open
        facts.append(f"thread {e.thread}")
    lines = [
        f"Conversation {s.id} · {c.source} · first seen by feed {s.feed} at {_at(s.first_seen_at)}",
        f"  {excerpt(c.title, 200)}",
        f"  {clean(c.url)}",
        "  " + " · ".join(f for f in facts if f),
        "",
    ]
    if e.alerts:
        lines.append("Alerts recorded:")
        for alert in e.alerts:
            lines += _alert_block(alert, default_channel, e.asked)
    else:
        lines.append("Alerts recorded: none (no topic matched when it was first seen, or it came in with a first poll)")
    lines += ["", "Topics now (matching and scoring re-run on the stored item, scored as when first seen):"]
    if not e.verdicts:
        lines.append("  no topics")
    for verdict in e.verdicts:
        lines += _verdict_block(verdict)
    return "\n".join(lines)


def alerts_table(alerts: Sequence[Alert], default_channel: str, filtered: bool = False) -> str:
    """alerts list; when empty, whether nothing matched the filters or nothing was alerted yet."""
    if not alerts:
        return (
            "no alerts match" if filtered else "no alerts yet; `earshot feeds test NAME` shows what a feed would bring"
        )
    rows = [
        [
            str(a.id),
            a.topic,
            f"#{a.channel or default_channel}",
            str(a.score),
            a.state.value + (" (digest)" if a.held_at and a.state is DeliveryState.DELIVERED else ""),
            _at(a.created_at),
            excerpt(a.conversation.title, 60),
        ]
        for a in alerts
    ]
    return table(["ID", "TOPIC", "CHANNEL", "SCORE", "STATE", "CREATED", "TITLE"], rows)
