"""`earshot check-reply` end to end: the real CLI on an alert made from a fake Hacker News, drafts from a file and
from standard input, and clear errors; nothing is posted to the webhook."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Earshot
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.webhook import WebhookReceiver

GOOD = (
    "At 50 jobs/sec a Postgres queue is fine. Claim jobs with SELECT ... FOR UPDATE SKIP LOCKED and give each claim "
    "a lease, so a job stuck after a crash is retried when its lease runs out. Disclosure: I work on Tidewater."
)
PITCH = (
    "Tidewater is exactly what you need! Our best-in-class queue is a game-changer and our customers love it. "
    "Sign up today at https://tidewater.dev"
)


def config(algolia: FakeAlgolia, hook: WebhookReceiver) -> str:
    return f"""
        [chat]
        platform = "webhook"
        channel = "conversations"
        webhook_url = "{hook.url}"

        [fetch]
        allow_private = ["127.0.0.1"]

        [[feeds]]
        name = "hn"
        kind = "hackernews"
        every = "2m"
        base_url = "{algolia.base_url}"

        [[topics]]
        name = "jobs"
        query = "postgres"
        min_score = 0

        [ours]
        products = ["Tidewater"]
        domains = ["tidewater.dev"]
        """


def one_alert(earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver) -> int:
    earshot.write_config(config(algolia, hook))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0
    now = int(time.time())
    algolia.hits.append(
        algolia_hit(
            4242,
            now - 300,
            title="Ask HN: How do you run background jobs without Redis?",
            text="We're on Postgres 15. Is a Postgres-backed queue good enough at ~50 jobs/sec? "
            "What do you do about retries and jobs stuck after a crash?",
            num_comments=1,
        )
    )
    done = earshot("run", "--once")
    assert done.returncode == 0, done.stderr
    [alert] = hook.alerts()
    return int(alert["alert_id"])


# The checklist and the CLI's words for one stored alert: the same on any database.
pytestmark = pytest.mark.any_database


def test_a_checklist_for_a_draft_in_a_file_and_on_standard_input_and_nothing_posted(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver, tmp_path: Path
) -> None:
    alert_id = one_alert(earshot, algolia, hook)
    posted = len(hook.received)

    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    out = earshot("check-reply", str(alert_id), str(good))
    assert out.returncode == 0, out.stderr
    assert f'Reply check for alert {alert_id} (hackernews): "Ask HN: How do you run background jobs' in out.stdout
    assert "✓ Nothing to flag" in out.stdout
    assert "Reminders:" in out.stdout and "Write it yourself." in out.stdout  # HN bans generated comments
    assert "Rules read: hackernews:promotion, hackernews:generated" in out.stdout
    assert out.stdout.rstrip().endswith("Nothing was posted.")

    stdin = subprocess.run(
        earshot.command("check-reply", str(alert_id), "-"),
        input=PITCH,
        cwd=earshot.workdir,
        env=earshot.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert stdin.returncode == 0, stdin.stderr
    flagged = re.findall(r"✗ ([a-z-]+):", stdin.stdout)
    said = " ".join(stdin.stdout.split())  # the checklist wraps long lines
    assert flagged == ["product-first", "off-question", "marketing"]
    assert "Names or links what is ours in the opening" in said
    assert '"Please don\'t use HN primarily for promotion."' in said  # the rule behind it, quoted
    assert "Marketing words: 'best-in-class', 'game-changer', 'sign up today'." in said

    assert len(hook.received) == posted  # the webhook heard nothing from the checks


def test_an_unknown_alert_an_unreadable_file_and_a_bad_id_are_sentences(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver, tmp_path: Path
) -> None:
    alert_id = one_alert(earshot, algolia, hook)
    draft = tmp_path / "draft.txt"
    draft.write_text(GOOD, encoding="utf-8")

    out = earshot("check-reply", "999999", str(draft))
    assert out.returncode == 1
    assert out.stderr.strip() == "error: no alert 999999; `earshot alerts list` shows the stored ones"

    out = earshot("check-reply", str(alert_id), str(tmp_path / "missing.txt"))
    assert out.returncode == 2
    assert "missing.txt: no such file (give a path, or - to read standard input)" in out.stderr

    out = earshot("check-reply", str(alert_id), str(tmp_path))
    assert out.returncode == 2 and "is a folder, not a file" in out.stderr

    binary = tmp_path / "draft.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    out = earshot("check-reply", str(alert_id), str(binary))
    assert out.returncode == 2 and "not UTF-8 text" in out.stderr

    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    out = earshot("check-reply", str(alert_id), str(empty))
    assert out.returncode == 1 and "the draft is empty; paste the reply you mean to post" in out.stderr

    out = earshot("check-reply", "latest", str(draft))
    assert out.returncode == 2
    assert "ALERT_ID 'latest': give an alert's number, as `earshot alerts list` shows" in out.stderr
    assert "Traceback" not in out.stderr
