"""The harness of the mutated-payload properties: serve each mutated page from a local server to the source's real
fetch (or thread) path, and check what comes back.

For each case: the unmutated page is read once, and once without the item to be mutated (its other items: what
every mutated page must still give). Then every mutated body (see ``mutations``) is served and read; a failure is
anything but a clean return that keeps the other items, replies that are not storable text, or a cursor that is
not JSON. What the mutated item became is stored afterwards, in batches, by the real storage.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from earshot.adapters.http import SafeHttp
from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Conversation, FetchResult, Thread
from earshot.bot.errors import FeedError
from tests.adapters.sources.mutations import MUTATIONS, Mutation, Path, dump, get, mutated_bodies
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.http_server import Reply as HttpReply

JSON = {"Content-Type": "application/json; charset=utf-8"}
NOW = datetime(2023, 11, 15, tzinfo=UTC)
Read = Callable[..., Awaitable[Any]]  # (source, server[, next poll's cursor]) -> FetchResult or Thread


@dataclass
class Case:
    """One page of one source: where it is served, which item is mutated, and how the source reads it."""

    name: str
    make: Callable[[SafeHttp, FakeHttpServer], Any]  # the source
    path: str  # where the page is served (GET, or POST for GraphQL)
    page: Any
    item: Path  # the mutated item, inside the page
    read: Read
    fixed: dict[str, Any] = field(default_factory=dict)  # other routes ("/path", "POST /path") and their JSON
    method: str = "GET"


@dataclass
class Outcome:
    """What the cases found."""

    cases: int = 0
    paths: int = 0
    payloads: int = 0
    skipped: int = 0  # payloads whose mutated item (or reply) did not come back
    stored: int = 0
    failures: list[str] = field(default_factory=list)


def _keys(result: FetchResult | Thread) -> list[str]:
    if isinstance(result, Thread):
        return [r.external_id for r in result.replies]
    return [i.external_id for i in result.items]


def _unstorable(result: FetchResult | Thread) -> str | None:
    """Why what the source returned is not storable text and JSON (the storage net aside), or None."""
    if isinstance(result, FetchResult):
        try:
            json.dumps(result.cursor, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            return f"cursor {exc}"
        return None
    for reply in result.replies:
        for name in reply.__dataclass_fields__:
            value = getattr(reply, name)
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return f"reply {name} cannot be encoded"
    return None


def _unique(item: Conversation, case: str, number: int) -> Conversation:
    """``item`` made unique to its payload, so storing it really writes it (not skipped as another's repeat)."""
    url = f"{item.url}{'&' if '?' in item.url else '?'}case={number}"
    return replace(item, external_id=f"{case}/{number}/{item.external_id}", url=url)


def _answer(data: bytes) -> Callable[[Any], HttpReply]:
    return lambda request: HttpReply(200, data, JSON)


async def _read(case: Case, source: Any, server: FakeHttpServer) -> FetchResult | Thread:
    return await case.read(source, server)


async def run_case(
    case: Case, server: FakeHttpServer, http: SafeHttp, outcome: Outcome, mutations: tuple[Mutation, ...] = MUTATIONS
) -> list[Conversation]:
    """Read every mutated page of ``case``; record failures in ``outcome``; return the conversations to store."""
    served = {"body": dump(case.page)}
    server.route(case.method, case.path, lambda request: HttpReply(200, served["body"], JSON))
    for route, body in case.fixed.items():
        method, _, path = route.rpartition(" ")
        server.route(method or "GET", path, _answer(dump(body)))
    source = case.make(http, server)
    baseline = await _read(case, source, server)
    without = copy.deepcopy(case.page)
    parent = get(without, case.item[:-1])
    del parent[case.item[-1]]
    served["body"] = dump(without)
    try:
        keep = set(_keys(await _read(case, source, server)))
    except FeedError:  # the item is the page's subject (a thread's question): every reply must stay
        keep = set(_keys(baseline))
    assert keep, f"{case.name}: the unmutated page gives nothing to keep"
    outcome.cases += 1
    seen_paths: set[str] = set()
    to_store: list[Conversation] = []
    for number, (path, mutation, body) in enumerate(mutated_bodies(case.page, case.item, mutations)):
        seen_paths.add(path)
        outcome.payloads += 1
        served["body"] = body
        where = f"{case.name}: {path} as {mutation}"
        try:
            result = await _read(case, source, server)
        except FeedError as exc:
            outcome.failures.append(f"{where}: the whole poll failed: {str(exc)[:200]}")
            continue
        except Exception as exc:  # any other escape is the finding
            outcome.failures.append(f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        keys = _keys(result)
        if not keep <= set(keys):
            outcome.failures.append(f"{where}: lost {sorted(keep - set(keys))}")
        if len(set(keys) - keep) < len(set(_keys(baseline)) - keep):
            outcome.skipped += 1
        problem = _unstorable(result)
        if problem:
            outcome.failures.append(f"{where}: {problem}")
        items = [result.conversation] if isinstance(result, Thread) else result.items
        for item in items:
            if item.external_id not in keep:
                to_store.append(_unique(item, case.name, number))
    outcome.paths += len(seen_paths)
    return to_store


async def run_page_fields(
    case: Case, server: FakeHttpServer, http: SafeHttp, outcome: Outcome, mutations: tuple[Mutation, ...]
) -> list[Conversation]:
    """Mutate the fields of ``case``'s page around its items (counts, cursors, wrappers, the item list itself):
    the read returns or raises FeedError, and so does the next poll from the cursor it returned."""
    served = {"body": dump(case.page)}
    server.route(case.method, case.path, lambda request: HttpReply(200, served["body"], JSON))
    for route, body in case.fixed.items():
        method, _, path = route.rpartition(" ")
        server.route(method or "GET", path, _answer(dump(body)))
    source = case.make(http, server)
    items_at = case.item[:-1]
    to_store: list[Conversation] = []
    for number, (path, mutation, body) in enumerate(mutated_bodies(case.page, (), mutations)):
        steps = tuple(int(s) if s.isdigit() else s for s in path.split("/"))
        if len(steps) > len(items_at) and steps[: len(items_at)] == items_at:
            continue  # an item's own field: run_case's business
        outcome.payloads += 1
        served["body"] = body
        where = f"{case.name} page: {path} as {mutation}"
        try:
            result = await _read(case, source, server)
            if isinstance(result, FetchResult):
                await case.read(source, server, result.cursor)
        except FeedError:
            continue
        except Exception as exc:  # any other escape is the finding
            outcome.failures.append(f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        problem = _unstorable(result)
        if problem:
            outcome.failures.append(f"{where}: {problem}")
        items = [result.conversation] if isinstance(result, Thread) else result.items
        to_store += [_unique(item, f"{case.name}/page", number) for item in items]
    return to_store


async def store_all(store: SqlStore, items: list[Conversation], outcome: Outcome, batch: int = 250) -> None:
    """Store ``items`` in batches; a batch the database refuses is retried one by one to name the culprits."""
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        try:
            async with store.unit() as unit:
                outcome.stored += len(await unit.insert_conversations(chunk, "mutated", NOW))
        except Exception:  # find which ones
            for item in chunk:
                try:
                    async with store.unit() as unit:
                        outcome.stored += len(await unit.insert_conversations([item], "mutated", NOW))
                except Exception as exc:  # the finding
                    outcome.failures.append(f"storing {item.external_id[:80]}: {type(exc).__name__}: {exc}"[:300])
