"""The ports: what the core needs from the edges, as Protocols with their contracts.

Adapters implement these; the core and the tests' in-memory twins depend on nothing else. Each concern has a module
of its own (sources, chat, storage, telemetry, ...); every name is importable from ``earshot.bot.ports`` itself.
"""

from __future__ import annotations

from earshot.bot.ports.chat import Chat, Listener, Refresher
from earshot.bot.ports.clock import Clock
from earshot.bot.ports.judge import Judge, JudgeAsk, Verdict
from earshot.bot.ports.meaning import Embedder
from earshot.bot.ports.sources import EnvVar, Option, Source, SourceKind, Target, TargetRule, ThreadSource
from earshot.bot.ports.storage import (
    Backlog,
    DayUsage,
    DeliveryProblem,
    DueCheck,
    NewAlert,
    Store,
    StoredConversation,
    StoreOf,
    SyncReport,
    Unit,
)
from earshot.bot.ports.summariser import Summariser
from earshot.bot.ports.telemetry import NO_TELEMETRY, NoTelemetry, Telemetry

__all__ = [
    "NO_TELEMETRY",
    "Backlog",
    "Chat",
    "Clock",
    "DayUsage",
    "DeliveryProblem",
    "DueCheck",
    "Embedder",
    "EnvVar",
    "Judge",
    "JudgeAsk",
    "Listener",
    "NewAlert",
    "NoTelemetry",
    "Option",
    "Refresher",
    "Source",
    "SourceKind",
    "Store",
    "StoreOf",
    "StoredConversation",
    "Summariser",
    "SyncReport",
    "Target",
    "TargetRule",
    "Telemetry",
    "ThreadSource",
    "Unit",
    "Verdict",
]
