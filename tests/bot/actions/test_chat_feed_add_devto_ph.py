"""`/earshot feed add devto ...` and `/earshot feed add producthunt ...` in chat: the kinds' declarations read the
target (tags, a topic), as `earshot feeds add` does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import build_sources, declarations
from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.actions.chat_actions import ChatActions, Member
from tests.fakes.clock import Clock

ADMIN = Member("U0ADMIN", "Ada", may_manage=True)


@pytest.fixture
async def desk(store: MemoryStore) -> AsyncIterator[ChatActions]:
    http = SafeHttp()
    try:
        yield ChatActions(store, build_sources(http, {}), Clock(), kinds=declarations())
    finally:
        await http.aclose()


async def test_feed_add_devto_reads_tags(desk: ChatActions) -> None:
    answer = await desk.run_text("feed add devto python,#WebDev", ADMIN)
    assert answer.ok, answer.text
    assert "added feed devto-python-webdev (devto, every 10m)" in answer.text
    bad = await desk.run_text("feed add devto c++", ADMIN)  # the source's own check refuses it
    assert not bad.ok and "not Dev.to tags" in bad.text
    [state] = await desk.catalog.feeds()
    assert (state.feed.query, state.feed.options) == (None, {"tags": ["python", "webdev"]})


async def test_feed_add_producthunt_reads_a_topic_and_refuses_a_bad_one(desk: ChatActions) -> None:
    answer = await desk.run_text("feed add producthunt developer-tools", ADMIN)
    assert answer.ok, answer.text
    assert "added feed producthunt-developer-tools (producthunt, every 15m)" in answer.text
    [state] = await desk.catalog.feeds()
    assert state.feed.options == {"topic": "developer-tools"}
    bad = await desk.run_text('feed add producthunt "Developer Tools"', ADMIN)
    assert not bad.ok and "not a Product Hunt topic slug" in bad.text
