"""Block Kit for alerts, answers and follow-ups, with third-party text made harmless.

Slack's mrkdwn has no backslash escapes and no switch that turns mentions off: ``&``, ``<`` and ``>`` are the
only characters to escape, and once they are, ``<!channel>``, ``<@U..>`` and ``<url|label>`` are plain text.
Third-party text goes in ``plain_text`` wherever the layout allows; links (``<url|label>``) are built only here,
with an http(s) URL and a label that cannot close or split them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from earshot.bot.actions.alert_card import FOLLOW_UP_ACTIONS, FREE_ACTIONS, Act, Action, AlertCard
from earshot.bot.domain import Alert
from earshot.bot.text import age, clean, excerpt
from earshot.bot.urls import web_url

from .markup import cut_mrkdwn

Block = dict[str, Any]

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
OPTION_LIMIT = 75  # an option's text
OPTION_VALUE_LIMIT = 150
OPTIONS_MAX = 100
BLOCK_LIMIT = 50
CONTEXT_ELEMENTS = 10
TEXT_LIMIT = 3000  # the notification text; Slack takes more, but nobody reads more in a notification
URL_LIMIT = 3000

ACTION_OUTCOME_MORE = "earshot:outcome_more"  # the "More outcomes…" menu; its block_id carries the alert id
MORE_BLOCK = "earshot:more:"  # + alert id
ACTION_OPEN = "earshot:open"
NOTE_CALLBACK = "earshot:note_modal"
NOTE_BLOCK = "note"
NOTE_INPUT = "text"
METADATA_EVENT = "earshot_alert"
FOLLOW_UP_BLOCK = "earshot:followup:"
STATE_LINES = 8  # the latest outcomes a message lists

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")
_LABEL_BREAKERS = re.compile(r"[|\r\n\t]+")
_MEMBER_ID_WORD = re.compile(r"(?<![\w@&;])[UW][A-Z0-9]{8,30}\b")


def escape(text: str) -> str:
    """Third-party text made inert for mrkdwn: controls dropped, ``&``, ``<`` and ``>`` as entities."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Plain ``text`` shortened to ``limit`` characters with an ellipsis, keeping line breaks."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit to go inside ``<...|...>`` or a button, or None when it is not one."""
    # web_url %-encodes what would end or split the link markup (|, <, >) or that Slack would read as markup.
    return web_url(url, URL_LIMIT)


def link(url: str | None, label: str, limit: int = 500) -> str:
    """``<url|label>`` with a label that cannot break out of it; the escaped label alone when the URL is unsafe."""
    flat = _LABEL_BREAKERS.sub(" ", excerpt(label, limit)).strip() or "link"
    shown = escape(flat)
    target = safe_url(url)
    if target is None:
        return shown
    return f"<{target.replace('&', '&amp;')}|{shown}>"


def mention(user_id: str) -> str:
    """A mention of a Slack user we know by id (``<@U..>``); anything else as escaped text."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else escape(user_id)


def reason_text(text: str) -> str:
    """A ChatActions refusal as mrkdwn: escaped, with the member ids it names (ours, from the store) as mentions."""
    return _MEMBER_ID_WORD.sub(lambda m: f"<@{m.group(0)}>", escape(text))


def is_channel_id(value: str) -> bool:
    """Whether ``value`` looks like a Slack conversation id (C.., G.., D..) rather than a name."""
    return bool(_CHANNEL_ID.fullmatch(value))


def slack_date(when: datetime, fallback: str) -> str:
    """A date Slack shows in each reader's time zone."""
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{escape(fallback)}>"


def plain(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    """A plain_text object (no markup, no mentions), cut to ``limit``."""
    return {"type": "plain_text", "text": cut(clean(text), limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    """A mrkdwn object; ``text`` must already be built from escaped parts.

    ``verbatim``: Slack shows the text as sent, with our markup, instead of turning bare URLs, channel names and
    some mentions (``@channel``) in feed text into links and pings on its side (Block Kit's text object).
    """
    return {"type": "mrkdwn", "text": cut_mrkdwn(text, limit) or " ", "verbatim": True}


def button(text: str, action_id: str, value: str = "", style: str | None = None, url: str | None = None) -> Block:
    """A button; its text is ours, its value carries the alert id across restarts."""
    element: Block = {"type": "button", "text": plain(text, BUTTON_LIMIT), "action_id": action_id}
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    return element


def action_button(action: Action, alert_id: int) -> Block:
    """An action of the card as a button: its id says what it does, its value which alert (across restarts)."""
    style = "primary" if action.act is Act.CLAIM else None
    return button(action.label, action.id, str(alert_id), style=style)


def more_outcomes(card: AlertCard) -> Block | None:
    """The "More outcomes…" menu of a claimed alert (its card's menu, "not relevant" included, which Slack shows
    here rather than as a button); None when it is empty."""
    options = [
        {"text": plain(choice.title, OPTION_LIMIT), "value": choice.value}
        for choice in card.menu
        if len(choice.value) <= OPTION_VALUE_LIMIT
    ]
    if not options:
        return None
    select = {
        "type": "static_select",
        "action_id": ACTION_OUTCOME_MORE,
        "placeholder": plain("More outcomes…", 150),
        "options": options[:OPTIONS_MAX],
    }
    return {"type": "actions", "block_id": f"{MORE_BLOCK}{card.alert_id}", "elements": [select]}


def _context(*parts: str) -> Block:
    texts = [p for p in parts if p][:CONTEXT_ELEMENTS]
    return {"type": "context", "elements": [plain(t, 2000) for t in texts]}


def summary_text(card: AlertCard) -> str:
    """The context as plain lines: the question and what replies said; else an excerpt of the item."""
    lines = [excerpt(card.question, 600)] + [f"• {excerpt(said, 400)}" for said in card.said]
    return "\n".join(line for line in lines if line.strip())


def fallback_text(card: AlertCard) -> str:
    """The message's notification text (mrkdwn, so escaped)."""
    return cut_mrkdwn(f"Earshot · {escape(card.topic)}: {escape(excerpt(card.title, 200))}", TEXT_LIMIT)


def alert_blocks(card: AlertCard, now: datetime) -> list[Block]:
    """An alert's card as Block Kit: title link, where and when, score and reasons, context, also-seen, state,
    how it is going, the "More outcomes…" menu of a claimed alert, buttons. The one drawing of an alert on Slack:
    the post and every redraw."""
    title = excerpt(card.title, 250) or "(untitled)"
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(f"*{link(card.url, title, 250)}*")}]
    where = " · ".join(p for p in (card.source, clean(card.community or ""), age(card.created_at, now)) if p)
    facts = [f"by {excerpt(card.author, 60)}" if card.author else ""]
    if card.points is not None:
        facts.append(f"{card.points} points")
    if card.replies is not None:
        facts.append(f"{card.replies} replies")
    blocks.append(_context(where, f"topic: {card.topic}", " · ".join(f for f in facts if f)))
    blocks.append(_context(" · ".join([f"score {card.score}", *(excerpt(r, 120) for r in card.reasons)])))
    context = summary_text(card)
    if context:
        blocks.append({"type": "section", "text": plain(context)})
    if card.link and safe_url(card.link):
        blocks.append({"type": "context", "elements": [mrkdwn("links to " + link(card.link, card.link, 200), 2000)]})
    if card.also_seen:
        seen = [
            "• "
            + link(s.url, excerpt(s.title, 150), 150)
            + escape(" · " + " · ".join(p for p in (s.source, s.community or "") if p))
            + (escape(f" · {s.thread_size} replies") if s.thread_size is not None else "")
            for s in card.also_seen[:10]
        ]
        blocks.append({"type": "section", "text": mrkdwn("*Also seen*\n" + "\n".join(seen))})
    blocks.extend(_state_blocks(card, now))
    if card.progress:
        blocks.append({"type": "context", "elements": [mrkdwn(escape(card.progress), 2000)]})
    menu = more_outcomes(card)
    if menu is not None:
        blocks.append(menu)
    buttons = _buttons(card)
    if buttons:  # Slack refuses an actions block without elements, and with it the whole message
        blocks.append({"type": "actions", "block_id": f"earshot:{card.alert_id}", "elements": buttons})
    return blocks[:BLOCK_LIMIT]


def plain_alert(alert: Alert) -> tuple[str, list[Block]]:
    """The alert as little as can be drawn (its id, its buttons), for when alert_blocks fails on its content: an
    alert that cannot be drawn is still delivered and claimable, instead of retried for ever."""
    text = f"Earshot alert {alert.id} (it could not be drawn in full; the logs say why)"
    buttons = [action_button(action, alert.id) for action in FREE_ACTIONS]
    blocks: list[Block] = [
        {"type": "section", "text": plain(text)},
        {"type": "actions", "block_id": f"earshot:{alert.id}", "elements": buttons},
    ]
    return text, blocks


def _state_blocks(card: AlertCard, now: datetime) -> list[Block]:
    lines: list[str] = []
    if card.claimed_by:
        since = card.claimed_at or now
        lines.append(f":raised_hand: Claimed by {mention(card.claimed_by)} {slack_date(since, age(since, now))}")
    for said in card.outcomes[-STATE_LINES:]:
        line = f"{mention(said.actor)} {escape(said.deed)}"
        if said.note:
            line += ": " + escape(excerpt(said.note, 300))
        lines.append(line)
    if not lines:
        return []
    return [{"type": "context", "elements": [mrkdwn(line, 2000) for line in lines[-CONTEXT_ELEMENTS:]]}]


def _buttons(card: AlertCard) -> list[Block]:
    # A claimed alert offers "not relevant" in its menu (more_outcomes), not as a button.
    claimed = card.claimed_by is not None
    elements = [action_button(a, card.alert_id) for a in card.actions if not (claimed and a.act is Act.NOT_RELEVANT)]
    open_url = safe_url(card.url)
    if open_url:
        elements.append(button("Open thread", ACTION_OPEN, str(card.alert_id), url=open_url))
    return elements[:25]


def alert_metadata(alert: Alert) -> dict[str, Any]:
    """Message metadata that lets a later attempt find this alert's message in the channel's history."""
    return {"event_type": METADATA_EVENT, "event_payload": {"alert_id": alert.id}}


def alert_list(alerts: Sequence[Alert], limit: int = 20) -> str:
    """Alerts as mrkdwn lines of links, for `/earshot mine` and `unclaimed`."""
    lines = []
    for alert in alerts[:limit]:
        line = "• " + link(alert.conversation.url, excerpt(alert.conversation.title, 120), 120)
        line += escape(f" · {alert.topic} · score {alert.score}")
        if alert.claimed_by:
            line += f" · {mention(alert.claimed_by)}"
        lines.append(line)
    if len(alerts) > limit:
        lines.append(escape(f"… and {len(alerts) - limit} more"))
    return "\n".join(lines)


def answer_text(text: str, alerts: Sequence[Alert] = ()) -> str:
    """A ChatActions answer as message text: its words escaped, then the alerts as links we build."""
    body = escape(text)
    if alerts:
        body += "\n" + alert_list(alerts)
    return cut_mrkdwn(body, TEXT_LIMIT)


def note_modal(alert: Alert, private_metadata: str) -> dict[str, Any]:
    """The "Add a note" modal."""
    return {
        "type": "modal",
        "callback_id": NOTE_CALLBACK,
        "private_metadata": private_metadata,
        "title": plain("Add a note", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            {"type": "section", "text": plain(excerpt(alert.conversation.title, 300))},
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": plain("Note", 2000),
                "element": {"type": "plain_text_input", "action_id": NOTE_INPUT, "multiline": True, "max_length": 2000},
            },
        ],
    }


def follow_up_blocks(alert: Alert) -> tuple[str, list[Block]]:
    """The "how did it go?" thread reply to the claimer, with the outcome buttons."""
    who = mention(alert.claimed_by or "")
    text = f"{who} how did it go with {link(alert.conversation.url, excerpt(alert.conversation.title, 120), 120)}?"
    elements = [action_button(action, alert.id) for action in FOLLOW_UP_ACTIONS]
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(text + " Pick what happened, or add a note.")},
        {"type": "actions", "block_id": f"{FOLLOW_UP_BLOCK}{alert.id}", "elements": elements},
    ]
    return text, blocks


def digest_blocks(alerts: Sequence[Alert], since: datetime, now: datetime) -> tuple[str, list[Block]]:
    """Alerts held back by the flood guard, as one message of links."""
    head = f"{len(alerts)} more conversation(s) since {age(since, now) or 'earlier'}"
    body = alert_list(alerts, limit=30)
    blocks: list[Block] = [
        {"type": "header", "text": plain(head, HEADER_LIMIT)},
        {"type": "section", "text": mrkdwn(body or " ")},
    ]
    return escape(head), blocks


def notice_text(level: str, text: str) -> str:
    """An operational notice as escaped text."""
    icon = {"error": ":red_circle:", "warning": ":warning:"}.get(level, ":information_source:")
    return cut_mrkdwn(f"{icon} {escape(text)}", TEXT_LIMIT)
