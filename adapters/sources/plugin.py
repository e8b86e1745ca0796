"""What a source kind registers: its declaration and how to build its source (built in, or from a plugin)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from earshot.adapters.http import SafeHttp
from earshot.bot.ports import Source, SourceKind

Build = Callable[[SafeHttp, Mapping[str, str]], Source]
"""Make the kind's source from the shared HTTP client and the environment it reads its credentials from."""


@dataclass(frozen=True, slots=True)
class SourcePlugin:
    """One kind of feed as Earshot loads it: the declaration everything else reads, and its source's factory.

    Each built-in kind's folder exports one as ``PLUGIN``; a third-party package names one in the
    ``earshot.sources`` entry point group (see docs/recipes/add-a-source.md).
    """

    declaration: SourceKind
    build: Build
