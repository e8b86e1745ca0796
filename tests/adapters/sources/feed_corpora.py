"""Public feed test corpora (feedparser's test suite, feed-rs's fixtures) run through Earshot's feed path.

The corpora live in ``../shared/corpora`` (not ours to carry). Each file ends in one of three outcomes: parsed (a
list of items, maybe empty), refused cleanly (FeedError) or crashed (any other exception). Print the counts with

    python -m tests.adapters.sources.feed_corpora
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from earshot.adapters.sources.rss.source import parse_feed
from earshot.bot.domain import Conversation
from earshot.bot.errors import FeedError

FEED_URL = "https://feeds.example.com/feed"
# feed-rs keeps its expected results beside each feed as <name>.serde.json: not feeds, so not run.
EXPECTED_RESULT_SUFFIX = ".serde.json"
# feedparser's test files name the HTTP headers they are served with in a comment, e.g. "Header: Content-type: x".
_CONTENT_TYPE_HEADER = re.compile(rb"^Header:\s*Content-type:\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass
class Outcome:
    """What Earshot's feed path made of one corpus file."""

    path: Path
    items: list[Conversation] | None = None
    refused: str | None = None
    crash: BaseException | None = None


@dataclass
class Tally:
    """Outcomes of a whole corpus run."""

    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def counts(self) -> Counter[str]:
        """Files, parsed, refused and crashes, and the items parsed in all."""
        counts: Counter[str] = Counter(files=len(self.outcomes))
        for outcome in self.outcomes:
            if outcome.crash is not None:
                counts["crashes"] += 1
            elif outcome.refused is not None:
                counts["refused"] += 1
            else:
                counts["parsed"] += 1
                counts["items"] += len(outcome.items or [])
        return counts

    def summary(self) -> str:
        """One line of counts."""
        c = self.counts
        return (
            f"{c['files']} files: {c['parsed']} parsed ({c['items']} items), {c['refused']} refused cleanly, "
            f"{c['crashes']} crashes, in {self.seconds:.1f} s"
        )


def corpus_files(root: Path) -> list[Path]:
    """Every feed file under a corpus folder (XML and JSON Feed), expected-result files left out."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".xml", ".json") and not p.name.endswith(EXPECTED_RESULT_SUFFIX)
    )


def content_type_of(data: bytes) -> str | None:
    """The Content-Type a feedparser test file says it is served with, if any."""
    match = _CONTENT_TYPE_HEADER.search(data[:2000])
    return match.group(1).decode("latin-1") if match else None


def run_one(path: Path) -> Outcome:
    """Earshot's feed path over one file, as the RSS source calls it."""
    data = path.read_bytes()
    outcome = Outcome(path)
    try:
        outcome.items = parse_feed(data, feed_url=FEED_URL, content_type=content_type_of(data))
    except FeedError as e:
        outcome.refused = str(e)
    except Exception as e:  # the whole point: anything but FeedError is a crash to count
        outcome.crash = e
    return outcome


def run(*roots: Path) -> Tally:
    """Every file of the given corpus folders through the feed path."""
    tally = Tally()
    start = time.perf_counter()
    for root in roots:
        tally.outcomes.extend(run_one(path) for path in corpus_files(root))
    tally.seconds = time.perf_counter() - start
    return tally


def main() -> int:
    """Print the counts per corpus, and each crash."""
    from tests.fixtures import SHARED

    for name in ("feedparser", "feed-rs"):
        root = SHARED / "corpora" / name
        if not root.exists():
            print(f"{name}: {root} is not there")
            continue
        tally = run(root)
        print(f"{name}: {tally.summary()}")
        for outcome in tally.outcomes:
            if outcome.crash is not None:
                shown = f"{type(outcome.crash).__name__}: {outcome.crash}"[:160]
                print(f"  crash {outcome.path.relative_to(root)}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
