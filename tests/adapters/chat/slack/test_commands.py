"""/earshot through the real bolt app: each subcommand runs on the ChatActions and answers on the response URL."""

from __future__ import annotations

import pytest

from earshot.adapters.chat.slack.app import command_text
from tests.fakes.slack import block_action

from .conftest import Rig

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

ADMIN = "U0ADMIN01"  # a workspace admin in the fake


def test_slack_channel_references_become_channel_names() -> None:
    assert command_text("topic add pg postgres <#C0VECTOR1|vector-db>") == "topic add pg postgres #vector-db"
    assert command_text("topic add pg postgres <#C0VECTOR1>") == "topic add pg postgres #C0VECTOR1"
    assert command_text("  help ") == "help"


async def test_help_answers_only_the_asker(rig: Rig) -> None:
    answer = await rig.command("help")
    assert answer["response_type"] == "ephemeral"
    assert "topic add" in answer["text"] and "feed add" in answer["text"]


async def test_an_admin_adds_lists_and_removes_a_topic_with_a_channel(rig: Rig) -> None:
    added = await rig.command('topic add pg "postgres pool" OR pgbouncer <#C0VECTOR1|vector-db>', user=ADMIN)
    assert added["response_type"] == "in_channel"  # a change is announced to the channel
    assert added["text"].startswith("ada added topic pg:") and added["text"].endswith("→ #vector-db")
    async with rig.store.unit() as unit:
        topic = await unit.get_topic("pg")
    assert topic is not None and topic.channel is not None and topic.channel.lstrip("#") == "vector-db"
    assert "pgbouncer" in topic.query
    listed = await rig.command("topic list")
    assert "pg" in listed["text"]
    await rig.command("topic remove pg", user=ADMIN)
    async with rig.store.unit() as unit:
        assert await unit.get_topic("pg") is None


async def test_a_bad_query_gets_the_reason_and_an_example(rig: Rig) -> None:
    answer = await rig.command('topic add pg "unclosed', user=ADMIN)
    async with rig.store.unit() as unit:
        assert await unit.get_topic("pg") is None
    assert answer["response_type"] == "ephemeral"
    assert "no closing quote" in answer["text"] and "Example: topic add" in answer["text"]


async def test_a_query_that_once_crashed_the_parser_gets_the_reason(rig: Rig) -> None:
    for query, reason in (("(" * 300 + "pg" + ")" * 300, "nested more than 32 levels"), ("pg~.", "fuzzy matching")):
        answer = await rig.command(f"topic add pg {query}", user=ADMIN)
        assert answer["response_type"] == "ephemeral"
        assert reason in answer["text"] and "Example: topic add" in answer["text"]
    async with rig.store.unit() as unit:
        assert await unit.get_topic("pg") is None


async def test_an_admin_adds_lists_and_removes_a_feed(rig: Rig) -> None:
    added = await rig.command("feed add rss https://blog.rust-lang.org/feed.xml 30m", user=ADMIN)
    async with rig.store.unit() as unit:
        feeds = await unit.list_feeds()
    assert len(feeds) == 1, added["text"]
    name = feeds[0].feed.name
    assert feeds[0].feed.url == "https://blog.rust-lang.org/feed.xml"
    assert name in (await rig.command("feed list"))["text"]
    await rig.command(f"feed remove {name}", user=ADMIN)
    async with rig.store.unit() as unit:
        assert await unit.list_feeds() == []


async def test_a_bad_feed_url_is_explained(rig: Rig) -> None:
    answer = await rig.command("feed add rss ftp://example.com/feed", user=ADMIN)
    async with rig.store.unit() as unit:
        assert await unit.list_feeds() == []
    assert answer["response_type"] == "ephemeral" and "must start with http:// or https://" in answer["text"]


async def test_mine_and_unclaimed_list_alerts_as_links(rig: Rig) -> None:
    first = await rig.post_alert(1)
    await rig.post_alert(2)
    channel, ts = first.message_ref.split(":")  # type: ignore[union-attr]
    await rig.interact(block_action("U0ALICE01", channel, ts, "earshot:claim", str(first.id), response_url=""))
    await rig.slack.wait_for(lambda: rig.slack.called("chat.update"))
    mine = await rig.command("mine")
    assert "<https://news.ycombinator.com/item?id=9001|" in mine["text"]
    assert "item?id=9002" not in mine["text"]
    unclaimed = await rig.command("unclaimed")
    assert "<https://news.ycombinator.com/item?id=9002|" in unclaimed["text"]
    assert "item?id=9001" not in unclaimed["text"]


async def test_stats_answers(rig: Rig) -> None:
    await rig.post_alert(1)
    answer = await rig.command("stats 7d")
    assert answer["text"].startswith("Since ") and "1 alert, 0 claimed" in answer["text"]


async def test_an_unknown_subcommand_gets_usage(rig: Rig) -> None:
    answer = await rig.command("frobnicate")
    assert answer["response_type"] == "ephemeral" and answer["text"].startswith("unknown command 'frobnicate'")


async def test_an_admin_says_what_a_topic_means_then_edits_and_shows_it(rig: Rig) -> None:
    added = await rig.command(
        'topic add vdb "vector database" OR pgvector <#C0VECTOR1|vector-db> about:"Choosing and running vector search"'
        ' example:"Which vector DB for 50M embeddings?" example:"pgvector got slow, which index?"'
        ' counter_example:"Hiring: vector database engineer" without_keyword:yes accept:"Only questions"',
        user=ADMIN,
    )
    assert added["response_type"] == "in_channel", added["text"]
    assert "(about: Choosing and running vector search)" in added["text"]
    async with rig.store.unit() as unit:
        topic = await unit.get_topic("vdb")
    assert topic is not None and topic.query == '"vector database" OR pgvector'
    assert topic.channel is not None and topic.channel.lstrip("#") == "vector-db"
    assert topic.examples == ("Which vector DB for 50M embeddings?", "pgvector got slow, which index?")
    assert topic.counter_examples == ("Hiring: vector database engineer",)
    assert (topic.about, topic.without_keyword, topic.accept) == (
        "Choosing and running vector search",
        True,
        "Only questions",
    )

    edited = await rig.command("topic edit vdb query:'pgvector OR qdrant' example:\"Qdrant or pgvector?\"", user=ADMIN)
    assert edited["response_type"] == "in_channel", edited["text"]
    shown = await rig.command("topic show vdb")
    assert shown["response_type"] == "ephemeral"
    assert "vdb: pgvector OR qdrant" in shown["text"] and "Worth joining: Qdrant or pgvector?" in shown["text"]
    assert "About: Choosing and running vector search" in shown["text"]  # what was not given stays

    bad = await rig.command("topic edit vdb without_keyword:maybe", user=ADMIN)
    assert bad["response_type"] == "ephemeral" and "write yes or no" in bad["text"]
    unknown = await rig.command("topic show nope")
    assert "there is no topic 'nope'" in unknown["text"]


async def test_a_draft_topic_is_previewed_on_stored_items_and_not_saved(rig: Rig) -> None:
    from datetime import timedelta

    from earshot.bot.domain import Conversation, Feed

    now = rig.clock()
    items = [
        Conversation(
            "hackernews",
            "1",
            "https://news.ycombinator.com/item?id=1",
            "Which vector database do you recommend for 10M embeddings?",
            "We are choosing between pgvector and a dedicated store. Experiences?",
            created_at=now - timedelta(hours=2),
            thread_size=1,
        ),
        Conversation(
            "hackernews",
            "2",
            "https://news.ycombinator.com/item?id=2",
            "We are hiring: vector database engineer",
            "Join our team building a vector database.",
            created_at=now - timedelta(hours=2),
        ),
    ]
    async with rig.store.unit() as unit:
        await unit.add_feed(Feed("hn", "hackernews", timedelta(minutes=5)), now)
        await unit.insert_conversations(items, "hn", now - timedelta(hours=1))
    answer = await rig.command('topic preview vdb "vector database" about:"Vector search" days:3')
    text = answer["text"]
    assert answer["response_type"] == "ephemeral"
    assert "tried on 2 items of the last 3 days: 1 would have been posted, 1 held. Nothing saved." in text
    posted, held = text.split("Would have been posted:")[1].split("Held:")
    assert "Which vector database do you recommend" in posted and "We are hiring" in held
    async with rig.store.unit() as unit:
        assert await unit.get_topic("vdb") is None
