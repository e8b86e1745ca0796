"""Logging to standard error, as text or one JSON object per line, with every known secret masked."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from earshot.adapters.http.errors import redact_url
from earshot.adapters.settings.redact import mask_url

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


_URL = re.compile(r"""\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+""")
# HTTP client libraries log every request URL at debug level: their lines keep no query or credentials at all.
_CLIENT_LOGGERS = ("httpx", "httpcore")


class RedactSecrets(logging.Filter):
    """Replaces secret values in log records with ``***`` (webhook URLs, tokens, database passwords).

    Beyond the known secrets, every URL in a message loses its password and the values of secret-looking query
    parameters (``token``, ``key``, ...), so a feed URL that carries a token is safe to log too.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask secrets in the formatted message and any exception text."""
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        for secret in self.secrets:
            message = message.replace(secret, "***")
        client = record.name.startswith(_CLIENT_LOGGERS)
        if "://" in message:
            message = _URL.sub(lambda m: redact_url(m.group()) if client else mask_url(m.group()), message)
        record.msg, record.args = message, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Libraries whose debug lines are their own internals (SQL, driver calls, connection pools): shown only at -vv.
_CHATTY = ("sqlalchemy", "aiosqlite", "asyncpg", "httpcore", "asyncio", "alembic", "apscheduler", "aiohttp")


def setup_logging(*, verbose: int = 0, level: str = "info", secrets: Iterable[str] = (), format: str = "text") -> None:
    """Configure the root logger once per command (calling again replaces the handler).

    ``verbose`` 1 (-v) shows Earshot's debug lines and the HTTP requests made; 2 (-vv) the libraries' internals too.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if format == "json" else logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level.upper(), logging.INFO))
    # Library chatter stays out unless asked for: request lines at -v, driver and pool internals at -vv.
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose else logging.WARNING)
    for noisy in _CHATTY:
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)
