"""What the chat permission tables compare: every stored row, and a wait for a line a quiet refusal logs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from earshot.adapters.storage import SqlStore, tables

Snapshot = dict[str, list[tuple[Any, ...]]]
# Bookkeeping, not a change anyone asked for: the ids of the events received, so a retry is handled once.
RECEIPTS = {tables.chat_events.name}


async def snapshot(store: SqlStore) -> Snapshot:
    """Every row of every table (receipts aside), in a stable order: a refused attempt must leave all of it as it
    was."""
    found: Snapshot = {}
    async with store.engine.connect() as connection:
        for table in tables.metadata.sorted_tables:
            if table.name in RECEIPTS:
                continue
            rows = (await connection.execute(select(table))).all()
            found[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return found


async def logged(caplog: pytest.LogCaptureFixture, text: str, timeout: float = 10.0) -> None:
    """Wait until ``text`` appears in the captured log (how a refusal that tells nobody shows it is done)."""

    async def until() -> None:
        while text not in caplog.text:
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(until(), timeout)
    except TimeoutError:
        raise AssertionError(f"{text!r} was never logged; the log has:\n{caplog.text}") from None
