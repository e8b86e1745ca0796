"""The in-memory twin of the SQL store: the same storage ports over plain dicts, for the core's tests.

It lives beside the SQL store rather than in ``tests/fakes`` because it is an implementation of our own port
(as ``SqlStore`` is) and passes the same contract tests (``tests/adapters/storage``); ``tests/fakes`` holds fakes of
third parties that speak their real protocols.
"""

from __future__ import annotations

from earshot.adapters.storage.memory.store import MemoryDatabase, MemoryStore, MemoryUnit

__all__ = ["MemoryDatabase", "MemoryStore", "MemoryUnit"]
