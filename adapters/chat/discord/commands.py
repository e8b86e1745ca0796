"""``/earshot`` as an application command group: topic and feed management, mine, unclaimed, stats, help.

Every handler defers at once (ephemeral, so a refusal stays private), calls one ChatActions method, and follows up. An
answer ChatActions marks public (a topic or feed changed, with who did it) is also posted in the channel.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from earshot.adapters.chat.inflight import InFlight
from earshot.bot.actions.chat_actions import Answer
from earshot.bot.actions.topic_commands import PREVIEW_DAYS, Meaning, TopicChange
from earshot.bot.domain import Topic
from earshot.bot.errors import EarshotError, NotFound

from .actions import desk_text, member_of
from .card import NONE
from .render import answer_text
from .views import check_form

if TYPE_CHECKING:
    from earshot.bot.actions.chat_actions import ChatActions

log = logging.getLogger(__name__)

Choices = list[app_commands.Choice[str]]


def as_choices(names: Iterable[str]) -> Choices:
    """Names as the choices of an option, each its own value; Discord shows at most 25."""
    return [app_commands.Choice(name=n, value=n) for n in names][:25]


async def respond(interaction: discord.Interaction[Any], work: Callable[[], Awaitable[Answer]]) -> Answer:
    """Defer, make one ChatActions call, and answer: privately, and in the channel too when the answer is public."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        answer = await work()
    except Exception:
        log.exception("/earshot %s failed", interaction.command.qualified_name if interaction.command else "?")
        answer = Answer("Something went wrong on Earshot's side; it is in the logs. Try again in a moment.", ok=False)
    text = answer_text(answer.text, answer.alerts, ok=answer.ok)
    if answer.public and answer.ok and isinstance(interaction.channel, discord.abc.Messageable):
        try:
            await interaction.channel.send(text, allowed_mentions=NONE)
            await interaction.followup.send("Done, and said so in the channel.", ephemeral=True)
            return answer
        except discord.HTTPException as exc:
            log.info("could not post the answer in the channel (%s); answering privately", exc.text)
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NONE)
    return answer


async def open_check(desk: ChatActions, interaction: discord.Interaction[Any], alert: int | None) -> None:
    """`/earshot check`: the draft form for the alert (or the member's latest claim), or why not, privately. A
    form must be the first answer, so choosing the alert is the only work before it."""
    try:
        if desk.drafts is None:
            raise NotFound("the reply check is not set up here")
        member = member_of(interaction)
        target = await desk.drafts.target(member.id, member.moderator, str(alert) if alert is not None else None)
    except EarshotError as exc:
        await interaction.response.send_message(desk_text(str(exc)), ephemeral=True, allowed_mentions=NONE)
        return
    await interaction.response.send_modal(check_form(target.alert_id, target.title))


EXAMPLES_HELP = "Posts worth joining, separated by | (like: Which vector DB? | pgvector or Qdrant?)"
COUNTER_HELP = "Posts sharing its words but not worth joining, separated by |"


def posts(text: str | None) -> tuple[str, ...] | None:
    """Example posts written in one option, separated by ``|``; None when the option was not given."""
    if text is None:
        return None
    return tuple(p.strip() for p in text.split("|") if p.strip())


def meaning(
    about: str | None,
    examples: str | None,
    counter_examples: str | None,
    without_keyword: bool | None,
    accept: str | None,
) -> Meaning:
    """What the options say the topic means."""
    return Meaning(about, posts(examples), posts(counter_examples), without_keyword, accept)


def build_group(desk: ChatActions, kinds: Sequence[str], inflight: InFlight | None = None) -> app_commands.Group:
    """The ``/earshot`` command group; ``kinds`` (the sources map's keys) become the choices of ``feed add``.

    Each command runs under ``inflight``, so that stopping waits for its answer."""
    answer_with = (inflight if inflight is not None else InFlight()).track(respond)
    earshot = app_commands.Group(
        name="earshot", description="Conversations worth joining: topics, feeds and your claims", guild_only=True
    )
    topic = app_commands.Group(name="topic", description="What to look for", parent=earshot)
    feed = app_commands.Group(name="feed", description="Where to listen", parent=earshot)
    kind_choices = as_choices(sorted(kinds))

    async def topic_choices(interaction: discord.Interaction[Any], current: str) -> Choices:
        return as_choices(await desk.topic_names(current))

    async def feed_choices(interaction: discord.Interaction[Any], current: str) -> Choices:
        return as_choices(await desk.feed_names(current))

    async def channel_choices(interaction: discord.Interaction[Any], current: str) -> Choices:
        guild = interaction.guild
        names = [c.name for c in guild.text_channels] if guild is not None else []
        return as_choices(n for n in names if n.startswith(current.lstrip("#")))

    meaning_help = {
        "about": "What the team knows and whom it helps, in plain words",
        "examples": EXAMPLES_HELP,
        "counter_examples": COUNTER_HELP,
        "without_keyword": "Also find posts close in meaning that use none of its words (needs about)",
        "accept": "An instruction in plain words for the LLM judge, like: only questions, not news",
    }

    @topic.command(name="add", description="Add a topic (needs Manage Server)")
    @app_commands.describe(
        name="A short name, like vector-db",
        query='What to look for, like "vector database" OR pgvector -job',
        channel="Where its alerts go (default: the main channel)",
        **meaning_help,
    )
    @app_commands.autocomplete(channel=channel_choices)
    async def topic_add(
        interaction: discord.Interaction[Any],
        name: str,
        query: str,
        channel: str | None = None,
        about: str | None = None,
        examples: str | None = None,
        counter_examples: str | None = None,
        without_keyword: bool | None = None,
        accept: str | None = None,
    ) -> None:
        said = meaning(about, examples, counter_examples, without_keyword, accept)
        await answer_with(interaction, lambda: desk.topic_add(member_of(interaction), name, query, channel, said))

    @topic.command(name="edit", description="Change a topic added in chat (needs Manage Server); the rest stays")
    @app_commands.describe(
        name="The topic's name",
        query="The new query",
        channel="Where its alerts go",
        min_score="The score (0-100) an alert needs to be posted",
        **meaning_help,
    )
    @app_commands.autocomplete(name=topic_choices, channel=channel_choices)
    async def topic_edit(
        interaction: discord.Interaction[Any],
        name: str,
        query: str | None = None,
        channel: str | None = None,
        min_score: app_commands.Range[int, 0, 100] | None = None,
        about: str | None = None,
        examples: str | None = None,
        counter_examples: str | None = None,
        without_keyword: bool | None = None,
        accept: str | None = None,
    ) -> None:
        said = meaning(about, examples, counter_examples, without_keyword, accept)
        change = TopicChange(said, query=query, channel=channel, min_score=min_score)
        await answer_with(interaction, lambda: desk.topic_edit(member_of(interaction), name, change))

    @topic.command(name="show", description="One topic whole: its query and what it means")
    @app_commands.describe(name="The topic's name")
    @app_commands.autocomplete(name=topic_choices)
    async def topic_show(interaction: discord.Interaction[Any], name: str) -> None:
        await answer_with(interaction, lambda: desk.topic_show(name))

    @topic.command(name="preview", description="What a draft topic would have posted lately; saves nothing")
    @app_commands.describe(
        name="A name for the draft",
        query='What to look for, like "vector database" OR pgvector -job',
        days=f"How far back (default {PREVIEW_DAYS})",
        min_score="The score (0-100) an alert needs to be posted (default 50)",
        **meaning_help,
    )
    async def topic_preview(
        interaction: discord.Interaction[Any],
        name: str,
        query: str,
        days: app_commands.Range[int, 1, 90] = PREVIEW_DAYS,
        min_score: app_commands.Range[int, 0, 100] = 50,
        about: str | None = None,
        examples: str | None = None,
        counter_examples: str | None = None,
        without_keyword: bool | None = None,
        accept: str | None = None,
    ) -> None:
        said = meaning(about, examples, counter_examples, without_keyword, accept)
        draft = Topic(name, query, min_score=min_score)
        await answer_with(interaction, lambda: desk.topic_preview(draft, said, days))

    @topic.command(name="list", description="List the topics")
    async def topic_list(interaction: discord.Interaction[Any]) -> None:
        await answer_with(interaction, desk.topic_list)

    @topic.command(name="remove", description="Remove a topic (needs Manage Server)")
    @app_commands.describe(name="The topic's name")
    @app_commands.autocomplete(name=topic_choices)
    async def topic_remove(interaction: discord.Interaction[Any], name: str) -> None:
        await answer_with(interaction, lambda: desk.topic_remove(member_of(interaction), name))

    @feed.command(name="add", description="Add a feed (needs Manage Server)")
    @app_commands.describe(
        kind="What kind of feed", target="The feed's URL, or search words", every="How often, like 5m or 1h"
    )
    @app_commands.choices(kind=kind_choices)
    async def feed_add(interaction: discord.Interaction[Any], kind: str, target: str, every: str | None = None) -> None:
        await answer_with(interaction, lambda: desk.feed_add(member_of(interaction), kind, target, every))

    @feed.command(name="list", description="List the feeds and how they are doing")
    async def feed_list(interaction: discord.Interaction[Any]) -> None:
        await answer_with(interaction, desk.feed_list)

    @feed.command(name="remove", description="Remove a feed (needs Manage Server)")
    @app_commands.describe(name="The feed's name")
    @app_commands.autocomplete(name=feed_choices)
    async def feed_remove(interaction: discord.Interaction[Any], name: str) -> None:
        await answer_with(interaction, lambda: desk.feed_remove(member_of(interaction), name))

    @earshot.command(name="mine", description="Your claims with no outcome yet")
    async def mine(interaction: discord.Interaction[Any]) -> None:
        await answer_with(interaction, lambda: desk.mine(member_of(interaction)))

    @earshot.command(name="unclaimed", description="Alerts of the last 7 days nobody has taken")
    async def unclaimed(interaction: discord.Interaction[Any]) -> None:
        await answer_with(interaction, desk.unclaimed)

    @earshot.command(name="stats", description="The team's numbers")
    @app_commands.describe(period="How far back, like 7d or 30d (default 7d)")
    async def stats(interaction: discord.Interaction[Any], period: str | None = None) -> None:
        await answer_with(interaction, lambda: desk.stats(period))

    @earshot.command(name="me", description="Link your accounts on the sources, so Earshot sees your replies")
    @app_commands.describe(handles="Like: hackernews=alice reddit=alice_b mastodon=@alice@hachyderm.io (empty: list)")
    async def me(interaction: discord.Interaction[Any], handles: str | None = None) -> None:
        await answer_with(interaction, lambda: desk.me(member_of(interaction), (handles or "").split()))

    @earshot.command(name="check", description="Paste a draft reply; get a private checklist (posts nothing)")
    @app_commands.describe(alert="The alert's number (default: your latest claim)")
    async def check(interaction: discord.Interaction[Any], alert: app_commands.Range[int, 1] | None = None) -> None:
        await open_check(desk, interaction, alert)

    @earshot.command(name="help", description="What Earshot does and how to use it")
    async def help_(interaction: discord.Interaction[Any]) -> None:
        async def answer() -> Answer:
            return desk.help()

        await answer_with(interaction, answer)

    return earshot
