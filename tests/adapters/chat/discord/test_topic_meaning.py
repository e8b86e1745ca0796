"""/earshot topic add|edit|show|preview with what a topic means, against the local Discord."""

from __future__ import annotations

from earshot.adapters.storage import SqlStore
from tests.fakes.discord import ALICE, MOD, FakeDiscord

from .conftest import MakeChat, add_alert
from .test_commands import audit, run


async def test_a_moderator_says_what_a_topic_means_and_changes_it(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat
) -> None:
    await make_chat()
    earshot = fake.commands_by_name()["earshot"]
    topic_group = next(o for o in earshot["options"] if o["name"] == "topic")
    add = next(o for o in topic_group["options"] if o["name"] == "add")
    options = {o["name"]: o for o in add["options"]}
    assert {"about", "examples", "counter_examples", "without_keyword", "accept"} <= set(options)
    assert options["without_keyword"]["type"] == 5 and options["about"]["required"] is False
    assert {"edit", "show", "preview"} <= {o["name"] for o in topic_group["options"]}

    await run(
        fake,
        MOD,
        ["topic", "add"],
        name="vector-db",
        query='"vector database" OR pgvector',
        about="Choosing and running vector search",
        examples="Which vector DB for 50M embeddings? | pgvector got slow, which index?",
        counter_examples="Hiring: vector database engineer",
        without_keyword=True,
        accept="Only questions",
    )
    async with store.unit() as unit:
        topic = await unit.get_topic("vector-db")
    assert topic is not None
    assert topic.about == "Choosing and running vector search"
    assert topic.examples == ("Which vector DB for 50M embeddings?", "pgvector got slow, which index?")
    assert topic.counter_examples == ("Hiring: vector database engineer",)
    assert topic.without_keyword is True and topic.accept == "Only questions"

    shown = await run(fake, ALICE, ["topic", "show"], name="vector-db")
    assert "About: Choosing and running vector search" in shown["content"]
    assert "Worth joining: Which vector DB for 50M embeddings?" in shown["content"]

    refused = await run(fake, ALICE, ["topic", "edit"], name="vector-db", about="Something else")
    assert refused["content"].startswith("\N{WARNING SIGN}") and "you may not change topic" in refused["content"]

    await run(fake, MOD, ["topic", "edit"], name="vector-db", examples="Qdrant or pgvector?", without_keyword=False)
    async with store.unit() as unit:
        edited = await unit.get_topic("vector-db")
    assert edited is not None and edited.examples == ("Qdrant or pgvector?",) and edited.without_keyword is False
    assert edited.about == "Choosing and running vector search"  # what was not given stays
    assert await audit(store) == [(MOD.id, "topic.add", "vector-db"), (MOD.id, "topic.edit", "vector-db")]

    bad = await run(fake, MOD, ["topic", "add"], name="bare", query="pgvector", without_keyword=True)
    assert bad["content"].startswith("\N{WARNING SIGN}") and "keyword: needs about" in bad["content"]


async def test_anyone_previews_a_draft_topic_and_nothing_is_saved(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat
) -> None:
    await make_chat()
    await add_alert(store, 1)
    await add_alert(store, 2, title="Our trip to Lisbon", text="Nice weather, great food, nothing about databases.")
    answer = await run(fake, ALICE, ["topic", "preview"], name="vdb", query='"vector database"', about="Vector search")
    text = answer["content"]
    assert 'Draft vdb ("vector database"), tried on 2 items of the last 7 days: 1 would have been posted' in text
    assert "Which vector database do you recommend? (1)" in text and "asks for a recommendation" in text
    assert "Nothing saved." in text
    async with store.unit() as unit:
        assert await unit.get_topic("vdb") is None
