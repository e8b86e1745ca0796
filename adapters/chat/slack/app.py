"""The slack-bolt AsyncApp: reactions, buttons, the note modal and /earshot, each a thin handler over the ChatActions.

Every handler acks first (Slack wants an answer within 3 seconds) and does the work after; bolt returns the
HTTP response, or the Socket Mode ack, as soon as ``ack()`` runs. Events Slack retries (same ``event_id``) are
dropped: this process remembers the ids it saw, and the database the ids every replica saw.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from earshot.adapters.chat.inflight import InFlight
from earshot.bot.actions.alert_card import (
    CHOICE_GONE,
    PRESS_FAILED,
    PRESS_OUTDATED,
    Act,
    action_for,
    find_choice,
    outcome_deed,
)
from earshot.bot.actions.chat_actions import CLAIM_PATIENCE, ChatActions, Member
from earshot.bot.actions.claims import may_record
from earshot.bot.actions.command_language import CommandError, parse_command
from earshot.bot.domain import OutcomeKind
from earshot.bot.errors import EarshotError, NotAllowed, NotFound
from earshot.bot.ports import Clock
from earshot.bot.text import age

from .briefing import briefing_blocks
from .check import CHECK_CALLBACK, CheckForm
from .members import Members
from .poster import parse_ref
from .render import (
    ACTION_OPEN,
    ACTION_OUTCOME_MORE,
    FOLLOW_UP_BLOCK,
    MORE_BLOCK,
    NOTE_BLOCK,
    NOTE_CALLBACK,
    NOTE_INPUT,
    alert_blocks,
    answer_text,
    escape,
    fallback_text,
    mention,
    note_modal,
    reason_text,
)

log = logging.getLogger(__name__)

CLAIM_REACTION = "raised_hand"
_ALERT_ID = re.compile(r"\d{1,18}")  # a database id; a longer number would not fit a BIGINT
COMMAND = "/earshot"
SEEN_FOR = timedelta(minutes=15)
_CHANNEL_REF = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")


def command_text(text: str) -> str:
    """/earshot text with Slack's ``<#C123|name>`` channel references turned into ``#name`` (or ``#C123``)."""
    return _CHANNEL_REF.sub(lambda m: "#" + (m.group(2) or m.group(1)), text).strip()


def checked_alert(text: str) -> str | None:
    """For ``check [ALERT_ID]``, the id written ("" for none); None for any other command (or a mistaken check,
    which ChatActions answers with its usage)."""
    try:
        command = parse_command(text)
    except CommandError:
        return None
    return command.args.get("alert", "") if command.verb == "check" else None


def reaction_name(reaction: str) -> str:
    """The reaction without its skin tone: ``raised_hand::skin-tone-3`` is ``raised_hand``."""
    return reaction.split("::", 1)[0]


class SeenEvents:
    """Event ids this process saw lately: a retry that reaches the same process is dropped without asking the
    database (which tells the replicas apart)."""

    def __init__(self, clock: Clock, keep_for: timedelta = SEEN_FOR, limit: int = 10_000) -> None:
        self.clock = clock
        self.keep_for = keep_for
        self.limit = limit
        self._seen: OrderedDict[str, datetime] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """Record ``event_id``; False when it was seen within ``keep_for``."""
        now = self.clock()
        while self._seen and (len(self._seen) >= self.limit or now - next(iter(self._seen.values())) > self.keep_for):
            self._seen.popitem(last=False)
        if event_id in self._seen:
            return False
        self._seen[event_id] = now
        return True


class Handlers:
    """What each Slack interaction does: parse it, call one ChatActions method, show the result."""

    def __init__(self, desk: ChatActions, client: AsyncWebClient, members: Members, clock: Clock) -> None:
        self.desk = desk
        self.client = client
        self.members = members
        self.clock = clock
        self.check_form = CheckForm(desk, client, members)

    async def refresh(self, alert_id: int) -> None:
        """Redraw an alert's message with all that is stored about it (claim, outcomes, how it is going, buttons).

        The one redraw on Slack: presses, reactions and the scheduled refresh all come here, so no path can draw
        less than another.
        """
        card = await self.desk.card(alert_id)
        where = parse_ref(card.message_ref)
        if where is None:
            return
        channel, ts = where
        blocks = alert_blocks(card, self.clock())
        await self.client.chat_update(channel=channel, ts=ts, text=fallback_text(card), blocks=blocks)

    async def tell(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """An ephemeral note only ``user`` sees; ``text`` is already mrkdwn."""
        args: dict[str, Any] = {"channel": channel, "user": user, "text": text}
        if thread_ts:
            args["thread_ts"] = thread_ts
        await self.client.chat_postEphemeral(**args)

    async def claim(self, alert_id: int, member: Member, channel: str) -> None:
        """Claim for ``member``; the loser hears who has it."""
        result = await self.desk.claim(alert_id, member)
        if result.won:
            await self.refresh(alert_id)
            await self.brief(alert_id, member, channel)
        elif result.holder != member.id:
            since = age(result.claimed_at, self.clock())
            await self.tell(channel, member.id, f"{mention(result.holder)} has claimed this already ({since}).")

    async def brief(self, alert_id: int, member: Member, channel: str) -> None:
        """The claimer's briefing, ephemeral: only they see it, nothing is posted in the channel."""
        briefing = await self.desk.briefing(alert_id)
        if briefing is None:
            return
        text, blocks = briefing_blocks(briefing)
        try:
            await self.client.chat_postEphemeral(channel=channel, user=member.id, text=text, blocks=blocks)
        except SlackApiError as exc:  # the claim stands; the briefing is a courtesy
            log.warning("alert %d: the briefing could not be sent: %s", alert_id, exc.response.get("error"))

    async def release(self, alert_id: int, member: Member, channel: str, *, quiet: bool = False) -> None:
        """Free the claim (the Release button, or the ✋ taken back)."""
        try:
            await self.desk.release(alert_id, member)
        except NotAllowed as exc:
            if not quiet:
                await self.tell(channel, member.id, reason_text(str(exc)))
            return
        await self.refresh(alert_id)

    async def record(
        self,
        alert_id: int,
        member: Member,
        kind: OutcomeKind,
        channel: str,
        note: str | None = None,
        label: str | None = None,
    ) -> bool:
        """Record an outcome (or "not relevant") and redraw the message; False when it was refused."""
        try:
            await self.desk.record(alert_id, member, kind, note, label=label)
        except NotAllowed as exc:
            await self.tell(channel, member.id, reason_text(str(exc)))
            return False
        await self.refresh(alert_id)
        return True

    async def answered(self, body: dict[str, Any], channel: str, member: Member, kind: OutcomeKind) -> None:
        """Replace a follow-up's buttons with what was recorded, so the thread reads as done."""
        ts = (body.get("container") or {}).get("message_ts")
        if ts:
            text = f"{mention(member.id)} recorded: {escape(outcome_deed(kind))}"
            await self.client.chat_update(channel=channel, ts=str(ts), text=text, blocks=[])

    # --- Slack listeners ---------------------------------------------------------------------------------

    async def on_reaction(self, event: dict[str, Any]) -> None:
        """✋ on an alert claims it; taking the ✋ back releases it, if the claim is one's own."""
        item = event.get("item") or {}
        if reaction_name(str(event.get("reaction", ""))) != CLAIM_REACTION or item.get("type") != "message":
            return
        channel, ts = str(item.get("channel", "")), str(item.get("ts", ""))
        added = event.get("type") == "reaction_added"
        alert = await self.desk.alert_for_message(f"{channel}:{ts}", patience=CLAIM_PATIENCE if added else 0.0)
        if alert is None:
            return
        user = str(event["user"])
        if added:
            await self.claim(alert.id, await self.members.get(user), channel)
        elif alert.claimed_by != user:
            # Taking a ✋ back gives back one's own claim only: a moderator whose ✋ came second must not free the
            # claimer's (a moderator frees someone else's claim with the Release button, on purpose).
            log.info(
                "alert %d: %s took back ✋, but %s holds the claim; nothing released",
                alert.id,
                user,
                alert.claimed_by or "nobody",
            )
        else:
            member = await self.members.get(user)
            await self.release(alert.id, replace(member, moderator=False), channel, quiet=True)

    async def chosen(self, action: dict[str, Any], member: Member, channel: str) -> None:
        """An outcome picked in an alert's "More outcomes…" menu: record it like a button (claimer or moderator)."""
        alert_text = str(action.get("block_id", "")).removeprefix(MORE_BLOCK)
        if not str(action.get("block_id", "")).startswith(MORE_BLOCK) or not _ALERT_ID.fullmatch(alert_text):
            await self.tell(channel, member.id, PRESS_OUTDATED)
            return
        value = str((action.get("selected_option") or {}).get("value", ""))
        choice = find_choice(value, self.desk.outcome_choices())
        if choice is None:  # a menu drawn before the team's outcomes changed
            await self.tell(channel, member.id, CHOICE_GONE)
            await self.refresh(int(alert_text))
            return
        kind, label, _ = choice
        await self.record(int(alert_text), member, kind, channel, label=label)

    async def _who_and_where(self, body: dict[str, Any]) -> tuple[Member, str]:
        user = body.get("user") or {}
        member = await self.members.get(str(user.get("id")), user.get("username") or user.get("name"))
        channel = str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", ""))
        return member, channel

    async def on_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A button on an alert or a follow-up, or the alert's "More outcomes…" menu: acked, then done, or the
        presser is told privately why not (the message they pressed may be out of date: claimed, released,
        deleted, or drawn by another version of Earshot)."""
        await ack()
        member, channel = await self._who_and_where(body)
        try:
            await self._act(body, action, member, channel)
        except (NotFound, NotAllowed) as exc:
            await self.tell(channel, member.id, reason_text(str(exc)))
        except SlackApiError:
            raise  # Slack itself failed: telling the member would fail too; bolt's error handler logs it
        except Exception:
            log.exception("slack: a press of %s failed", action.get("action_id"))
            await self.tell(channel, member.id, PRESS_FAILED)

    async def _act(self, body: dict[str, Any], action: dict[str, Any], member: Member, channel: str) -> None:
        action_id = str(action.get("action_id", ""))
        if action_id == ACTION_OUTCOME_MORE:
            await self.chosen(action, member, channel)
            return
        if action_id == ACTION_OPEN:
            return  # a link button: Slack opens the thread itself, and only wants the ack
        value = str(action.get("value", ""))
        meant = action_for(action_id)
        if not _ALERT_ID.fullmatch(value) or meant is None:
            log.info("slack: a press of %s (value %r), which this version does not draw; told so", action_id, value)
            await self.tell(channel, member.id, PRESS_OUTDATED)
            return
        alert_id = int(value)
        if meant.act is Act.CLAIM:
            await self.claim(alert_id, member, channel)
        elif meant.act is Act.RELEASE:
            await self.release(alert_id, member, channel)
        elif meant.act is Act.NOT_RELEVANT:
            await self.record(alert_id, member, OutcomeKind.NOT_RELEVANT, channel)
        elif meant.act is Act.NOTE:
            await self.note_form(body, alert_id, member, channel)
        elif meant.kind is not None:
            recorded = await self.record(alert_id, member, meant.kind, channel)
            if recorded and str(action.get("block_id", "")).startswith(FOLLOW_UP_BLOCK):
                await self.answered(body, channel, member, meant.kind)

    async def note_form(self, body: dict[str, Any], alert_id: int, member: Member, channel: str) -> None:
        """Open the note form, unless the note would be refused anyway: then say why at once."""
        alert = (await self.desk.view(alert_id)).alert
        reason = may_record(alert, member.id, OutcomeKind.NOTE, moderator=member.moderator)
        if reason is not None:
            await self.tell(channel, member.id, reason_text(f"cannot add a note to alert {alert_id}: {reason}"))
            return
        await self.client.views_open(trigger_id=body["trigger_id"], view=note_modal(alert, f"{alert_id}:{channel}"))

    async def on_note(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The note modal was submitted: record it as a NOTE outcome (or tell the writer why not)."""
        await ack()
        alert_text, _, channel = str(view.get("private_metadata", "")).partition(":")
        value = ((view.get("state") or {}).get("values") or {}).get(NOTE_BLOCK, {}).get(NOTE_INPUT, {}).get("value")
        if not _ALERT_ID.fullmatch(alert_text) or not value or not str(value).strip():
            return
        user = body.get("user") or {}
        member = await self.members.get(str(user.get("id")), user.get("username") or user.get("name"))
        try:
            await self.record(int(alert_text), member, OutcomeKind.NOTE, channel, note=str(value).strip())
        except NotFound as exc:  # deleted while the form was open
            await self.tell(channel, member.id, reason_text(str(exc)))

    async def on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """/earshot: ChatActions runs the text; the answer goes to the asker, or to the channel when it is public."""
        await ack()
        member = await self.members.get(str(command.get("user_id")), command.get("user_name"))
        text = command_text(str(command.get("text") or ""))
        check = checked_alert(text)
        if check is not None:  # /earshot check [ALERT_ID]: a form for the draft
            await self.check_form.open(command, member, check or None, respond)
            return
        try:
            answer = await self.desk.run_text(text, member)
        except Exception:
            await respond(text="Sorry, that failed on our side; the Earshot logs say why.", response_type="ephemeral")
            raise
        await respond(
            text=answer_text(answer.text, answer.alerts),
            response_type="in_channel" if answer.public else "ephemeral",
        )


def build_app(
    handlers: Handlers, client: AsyncWebClient, signing_secret: str, clock: Clock, inflight: InFlight | None = None
) -> AsyncApp:
    """The bolt app with every listener registered; the same app serves Socket Mode and HTTP mode.

    Each listener runs under ``inflight``, so that stopping can wait for the work that goes on after an ack.
    """
    track = (inflight if inflight is not None else InFlight()).track
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        logger=logging.getLogger("earshot.slack.bolt"),
        name="earshot",
        process_before_response=False,
    )
    seen = SeenEvents(clock)

    async def first_anywhere(event_id: str) -> bool:
        return await handlers.desk.first_time(f"slack:{event_id}", SEEN_FOR)

    async def drop_repeats(body: dict[str, Any], response: BoltResponse, next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if isinstance(body, dict) else None
        # This process remembers, and the database tells the replicas apart: a retry may reach another one.
        if isinstance(event_id, str) and not (seen.first_time(event_id) and await first_anywhere(event_id)):
            log.debug("event %s seen already (a retry); dropped", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return response

    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        kind = body.get("type") if isinstance(body, dict) else None
        if isinstance(error, EarshotError | SlackApiError):
            log.warning("slack %s: %s", kind, error)
        else:
            log.error("slack %s: unexpected error", kind, exc_info=error)

    app.middleware(drop_repeats)
    app.error(on_error)
    app.event("reaction_added")(track(handlers.on_reaction))
    app.event("reaction_removed")(track(handlers.on_reaction))
    app.action(re.compile(r"^earshot:"))(track(handlers.on_action))
    app.view(NOTE_CALLBACK)(track(handlers.on_note))
    app.view(CHECK_CALLBACK)(track(handlers.check_form.on_submit))
    app.command(COMMAND)(track(handlers.on_command))
    return app
