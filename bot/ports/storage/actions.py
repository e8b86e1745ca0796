"""Storage ports behind what people do in the channel: claims and outcomes, chat events, the team, look-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from earshot.bot.domain import Activity, Alert, ClaimResult, DeliveryState, Handle, Outcome
from earshot.bot.records import StoredConversation


class Claiming(Protocol):
    """Who takes an alert, and what came of it. Alerts are never deleted."""

    async def get_alert(self, alert_id: int) -> Alert | None:
        """One alert with its sightings, or None."""
        ...

    async def claim(self, alert_id: int, actor: str, now: datetime) -> ClaimResult:
        """Claim an alert if nobody holds it; NotFound if absent. Exactly one of several concurrent claimers
        wins; the others learn who holds it. Claiming an alert one holds already is a win that changes nothing.
        A new claim is asked about (follow-up) and checked afresh."""
        ...

    async def release_claim(self, alert_id: int, actor: str, *, force: bool = False) -> bool:
        """Free an alert held by ``actor`` (or by anyone, with ``force``); False if it was not held so;
        NotFound if the alert does not exist."""
        ...

    async def add_outcome(self, outcome: Outcome) -> None:
        """Record an outcome (append only: outcomes are never replaced); NotFound if its alert does not exist."""
        ...

    async def list_outcomes(self, alert_id: int) -> list[Outcome]:
        """Outcomes of an alert, oldest first (in the order recorded when two share a time)."""
        ...


class People(Protocol):
    """What people in the channel ask of the store: the alert behind a message, their claims, the activity."""

    async def first_time(self, event_id: str, at: datetime, forget_before: datetime) -> bool:
        """Record a chat event's id; False when any process recorded it already (ids recorded before
        ``forget_before`` are forgotten first). Of several processes recording one id at once, one gets True."""
        ...

    async def alert_by_message(self, message_ref: str) -> Alert | None:
        """The (first) alert that was delivered as the message ``message_ref``, or None."""
        ...

    async def open_claims(self, actor: str, limit: int) -> list[Alert]:
        """Alerts ``actor`` holds with no outcome recorded yet (notes aside), oldest claim first."""
        ...

    async def unclaimed(self, since: datetime, limit: int) -> list[Alert]:
        """Delivered alerts created since ``since`` that nobody holds and nobody marked not relevant, newest first."""
        ...

    async def activity(self, since: datetime) -> Activity:
        """Per topic (by name), the alerts delivered since ``since``, how many are claimed, and how many alerts
        have each kind of outcome (each alert once per kind)."""
        ...


class Team(Protocol):
    """Who on the team is who on each source."""

    async def list_handles(self, member: str | None = None) -> list[Handle]:
        """Every teammate's handles (or one member's), ordered by member and source."""
        ...

    async def set_handles(self, handles: Sequence[Handle], now: datetime) -> None:
        """Link each handle to its member, replacing that member's earlier handle on the same source (the latest
        display name given applies to all the member's handles); AlreadyExists when another member holds one of
        them, and nothing is changed then."""
        ...


class Lookup(Protocol):
    """Looking things up for people: `earshot explain` and `earshot alerts list`."""

    async def find_conversation(
        self, *, url: str | None = None, alert_id: int | None = None
    ) -> StoredConversation | None:
        """The stored conversation of an alert, or at ``url`` (any form that canonicalises to its URL, or its
        link as given or canonical, the earliest stored first), or None."""
        ...

    async def list_alerts(
        self,
        *,
        state: DeliveryState | None = None,
        topic: str | None = None,
        conversation_id: int | None = None,
        limit: int = 50,
    ) -> list[Alert]:
        """Up to ``limit`` (at least one) alerts, newest first, narrowed by state, topic or conversation."""
        ...

    async def recent_conversations(self, since: datetime, limit: int) -> list[StoredConversation]:
        """Up to ``limit`` (at least one) conversations first seen at or after ``since``, newest first: what a draft
        topic is tried on (`earshot topics preview`)."""
        ...
