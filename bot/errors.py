"""Errors the core and its ports speak. Each message says what went wrong and, where it can, what to do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class EarshotError(Exception):
    """Base of every error Earshot reports to a person."""


class ConfigError(EarshotError):
    """A configuration value is wrong; the message names the key, the value and what would be right."""


class NotFound(EarshotError):
    """A named topic, feed or alert does not exist."""


class AlreadyExists(EarshotError):
    """A topic or feed with that name exists already."""


class InvalidQuery(EarshotError):
    """A topic query cannot be parsed."""

    def __init__(self, query: str, position: int, reason: str) -> None:
        self.query = query
        self.position = position
        self.reason = reason
        super().__init__(f"bad query at position {position + 1}: {reason}")


class FeedError(EarshotError):
    """A feed could not be fetched or read. ``retry_after`` (seconds) is the source's own wish, if it said one.

    A metered source that fails midway says what it had spent by then: ``usage`` (as ``FetchResult.usage``), and
    for a poll, ``cursor``: the feed's cursor to keep all the same, its day's counts updated (nothing else changed).
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        usage: Mapping[str, int] | None = None,
        cursor: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.usage: Mapping[str, int] = usage or {}
        self.cursor = cursor


class DeliveryError(EarshotError):
    """A chat platform did not take a message. ``permanent`` means retrying the same message will not help;
    ``channel`` means the channel refuses every post (deleted, archived, the bot removed), not just this one."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False, channel: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent
        self.channel = channel


class LeaseLost(EarshotError):
    """Another process took over a feed or alert this process was working on; its work is dropped, not doubled."""


class NotAllowed(EarshotError):
    """The person asking may not do this (release someone else's claim, change a topic defined in the file)."""


class SummaryError(EarshotError):
    """A summariser (a language model endpoint) gave no usable summary; the extractive one stands in."""


class JudgeUnavailable(EarshotError):
    """The optional LLM judge gave no verdict (failed, slow, over budget, or answered something unusable); the
    alert is decided without it."""
