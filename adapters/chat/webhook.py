"""The webhook chat: one JSON object per alert POSTed to a URL, signed when a secret is set.

Payload fields are a public promise (scripts read them); add fields, never rename them. Alerts carry
``"type": "alert"`` and ``alert_id``; operational notices carry ``"type": "notice"`` and no ``alert_id``;
flood-guard digests carry ``"type": "digest"`` and ``alerts`` (each with its ``alert_id``); how a claimed alert
is going comes as ``"type": "update"`` with its ``alert_id``; the claimer's briefing as ``"type": "briefing"`` with
``alert_id``, ``claimed_by`` and the ``briefing`` object; reports as ``"type": "report"`` with the chart as
base64 PNG in ``chart_png``. Each alert request has ``Idempotency-Key: earshot-alert-<id>`` (a digest:
``earshot-digest-<first id>-<last id>-<count>``), so a receiver can drop the rare repeat after a crash between its
answer and our bookkeeping.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import asdict
from typing import Any

from earshot.adapters.http import FetchError, FetchRefused, SafeHttp
from earshot.bot.domain import Alert, Digest, Notice, OutcomeKind, Progress, Summary
from earshot.bot.errors import DeliveryError
from earshot.bot.followup.participation import settled_by_people
from earshot.bot.followup.stats import Report, report_text
from earshot.bot.guest.briefing import Briefing, plain_lines
from earshot.bot.text import clean, excerpt, without_surrogates

log = logging.getLogger(__name__)

ATTEMPTS = 3
MAX_WAIT = 10.0  # seconds: longer Retry-After waits go back to the outbox instead of blocking this sender


def alert_payload(alert: Alert, default_channel: str) -> dict[str, Any]:
    """The JSON object posted for an alert."""
    c = alert.conversation
    return {
        "type": "alert",
        "alert_id": alert.id,
        "topic": alert.topic,
        "channel": alert.channel or default_channel,
        "source": c.source,
        "community": clean(c.community) if c.community else None,
        "kind": c.kind,
        "title": clean(c.title),
        "url": c.url,
        "link": c.link,
        "author": clean(c.author) if c.author else None,
        "created_at": c.created_at.isoformat() if c.created_at else None,
        "excerpt": excerpt(c.text, 500),
        "matched": list(alert.matched),
        "score": alert.score,
        "reasons": list(alert.reasons),
        "thread_size": c.thread_size,
        "points": c.points,
        "summary": summary_payload(alert.summary),
        "also_seen": [
            {
                "source": s.source,
                "community": clean(s.community) if s.community else None,
                "title": clean(s.title),
                "url": s.url,
                "thread_size": s.thread_size,
                "points": s.points,
            }
            for s in alert.also_seen
        ],
    }


def summary_payload(summary: Summary | None) -> dict[str, Any] | None:
    """The ``summary`` field: {question, said, method}, or null when the alert has none."""
    if summary is None:
        return None
    return {"question": clean(summary.question), "said": [clean(s) for s in summary.said], "method": summary.method}


def digest_payload(digest: Digest, default_channel: str) -> dict[str, Any]:
    """The JSON object posted for a digest: the held alerts of one channel, oldest first."""
    return {
        "type": "digest",
        "channel": digest.channel or default_channel,
        "since": digest.since.isoformat(),
        "count": len(digest.alerts),
        "alert_ids": [a.id for a in digest.alerts],
        "alerts": [
            {
                "alert_id": a.id,
                "topic": a.topic,
                "title": clean(a.conversation.title),
                "url": a.conversation.url,
                "score": a.score,
                "source": a.conversation.source,
            }
            for a in digest.alerts
        ],
    }


def digest_key(digest: Digest) -> str:
    """The digest's idempotency key and message reference: the same held alerts give the same key."""
    ids = sorted(a.id for a in digest.alerts)
    return f"earshot-digest-{ids[0]}-{ids[-1]}-{len(ids)}" if ids else "earshot-digest-empty"


def notice_payload(notice: Notice, default_channel: str) -> dict[str, Any]:
    """The JSON object posted for an operational notice."""
    return {
        "type": "notice",
        "level": notice.level,
        "text": notice.text,
        "feed": notice.feed,
        "channel": default_channel,
    }


def briefing_payload(alert_id: int, member: str, briefing: Briefing, default_channel: str) -> dict[str, Any]:
    """The JSON object posted when someone claims an alert: their briefing, as fields and as ``text`` lines."""
    b = briefing
    return {
        "type": "briefing",
        "alert_id": alert_id,
        "claimed_by": member,
        "channel": default_channel,
        "url": b.url,
        "briefing": {
            "asked": clean(b.asked),
            "situation": {part: [clean(s) for s in said] for part, said in b.situation.parts()},
            "said": [clean(s) for s in b.said],
            "unanswered": [clean(s) for s in b.unanswered],
            "pace": b.pace,
            "rules": [
                {"id": c.id, "title": c.title, "text": c.text, "url": c.url, "quoted": c.quoted} for c in b.rules
            ],
            "earlier": [{"url": e.url, "title": clean(e.title), "member": e.member} for e in b.earlier],
            "warning": b.warning,
            "notes": list(b.notes),
            "text": [clean(line) for line in plain_lines(b)],
        },
    }


def update_payload(alert: Alert, progress: Progress, default_channel: str) -> dict[str, Any]:
    """The JSON object posted when a claimed alert's progress changed (a check found a reply, answers, votes)."""
    p = progress.participation
    said = settled_by_people(progress.outcomes)
    label = next((o.label for o in reversed(progress.outcomes) if o.kind is OutcomeKind.CUSTOM), None)
    return {
        "type": "update",
        "alert_id": alert.id,
        "channel": alert.channel or default_channel,
        "url": alert.conversation.url,
        "claimed_by": alert.claimed_by,
        "replied_by": p.replied_by if p else None,
        "replied_by_name": progress.replied_name,
        "replied_at": p.replied_at.isoformat() if p and p.replied_at else None,
        "responses": p.responses if p else None,
        "votes": p.votes if p else None,
        "checked_at": p.checked_at.isoformat() if p else None,
        "after_seconds": round(p.after.total_seconds()) if p else None,
        "outcome": said.value if said else None,
        "outcome_label": label if said is OutcomeKind.CUSTOM else None,
        "text": progress.line,
    }


def report_payload(report: Report, chart_png: bytes | None, default_channel: str) -> dict[str, Any]:
    """The JSON object posted for a report: the numbers, the text and the chart (base64 PNG, or null)."""
    total = report.stats.total
    median = total.claim_median
    return {
        "type": "report",
        "channel": default_channel,
        "title": report.title,
        "since": report.stats.since.isoformat(),
        "until": report.stats.until.isoformat(),
        "text": report_text(report),
        "totals": {
            "alerts": total.alerts,
            "claimed": total.claimed,
            "replied": total.replied,
            "responded": total.responded,
            "stale": total.stale,
            "claim_median_seconds": round(median.total_seconds()) if median is not None else None,
            "outcomes": dict(total.outcomes),
        },
        "chart_png": base64.b64encode(chart_png).decode("ascii") if chart_png else None,
        "manners": asdict(report.manners) if report.manners is not None else None,
    }


def encode(payload: dict[str, Any]) -> bytes:
    """A payload as UTF-8 JSON. A lone surrogate (half an emoji from some API) cannot be UTF-8 and would fail
    every retry of the alert: it becomes U+FFFD; a pair of them written separately becomes the character."""
    return without_surrogates(json.dumps(payload, ensure_ascii=False)).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` HMAC of ``"<timestamp>.<body>"``, sent as X-Earshot-Signature so receivers can verify."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookChat:
    """POSTs alerts and notices as JSON, retrying transient failures with backoff."""

    def __init__(self, http: SafeHttp, url: str, channel: str, secret: str | None = None) -> None:
        self.http = http
        self.url = url
        self.channel = channel
        self.secret = secret

    async def send_alert(self, alert: Alert) -> str:
        """POST one alert; the reference returned is its idempotency key."""
        key = f"earshot-alert-{alert.id}"
        await self._post(alert_payload(alert, self.channel), "alert", {"Idempotency-Key": key})
        return key

    async def send_digest(self, digest: Digest) -> str:
        """POST one digest; the reference returned is its idempotency key."""
        key = digest_key(digest)
        await self._post(digest_payload(digest, self.channel), "digest", {"Idempotency-Key": key})
        return key

    async def send_notice(self, notice: Notice) -> None:
        """POST one notice."""
        await self._post(notice_payload(notice, self.channel), "notice", {})

    async def refresh(self, alert: Alert, progress: Progress) -> None:
        """POST how a claimed alert is going."""
        checked = progress.participation.checked_at.isoformat() if progress.participation else "manual"
        key = f"earshot-update-{alert.id}-{checked}"
        await self._post(update_payload(alert, progress, self.channel), "update", {"Idempotency-Key": key})

    async def send_briefing(self, alert_id: int, member: str, briefing: Briefing) -> None:
        """POST the claimer's briefing (``"type": "briefing"``), once per claim of an alert by one person."""
        key = f"earshot-briefing-{alert_id}-{member}"
        await self._post(
            briefing_payload(alert_id, member, briefing, self.channel), "briefing", {"Idempotency-Key": key}
        )

    async def send_report(self, report: Report, chart_png: bytes | None) -> str:
        """POST a report; the reference returned is its idempotency key."""
        key = f"earshot-report-{report.stats.until.isoformat()}"
        await self._post(report_payload(report, chart_png, self.channel), "report", {"Idempotency-Key": key})
        return key

    async def _post(self, payload: dict[str, Any], event: str, extra: dict[str, str]) -> None:
        body = encode(payload)
        headers = {"Content-Type": "application/json", "X-Earshot-Event": event, **extra}
        last: DeliveryError | None = None
        for attempt in range(ATTEMPTS):
            if self.secret:
                stamp = str(int(time.time()))
                headers |= {"X-Earshot-Timestamp": stamp, "X-Earshot-Signature": signature(self.secret, stamp, body)}
            last = await self._attempt(body, headers)
            if last is None:
                return
            if last.permanent or attempt == ATTEMPTS - 1:
                break
            wait = last.retry_after if last.retry_after is not None else 0.5 * 2**attempt
            if wait > MAX_WAIT:
                break
            await asyncio.sleep(wait)
        assert last is not None
        raise last

    async def _attempt(self, body: bytes, headers: dict[str, str]) -> DeliveryError | None:
        try:
            response = await self.http.post(self.url, content=body, headers=headers)
            response.raise_for_status()
        except FetchError as exc:
            status = exc.status
            # A refused address is a config problem, and a 4xx other than timeout or throttling means the
            # receiver refuses this payload: retrying won't help.
            refused = isinstance(exc, FetchRefused)
            permanent = refused or (status is not None and 400 <= status < 500 and status not in (408, 429))
            # Webhook URLs carry their token in the path (Slack, Discord): name the URL, never show it.
            message = str(exc).replace(exc.url, "the webhook URL") if exc.url else str(exc)
            return DeliveryError(f"webhook: {message}", retry_after=exc.retry_after, permanent=permanent)
        return None
