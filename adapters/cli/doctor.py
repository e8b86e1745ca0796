"""`earshot doctor` and `earshot discord invite`: run the chat platform's own checks and say exactly what to fix.

Each platform adds its checks to ``diagnose``: a function from the settings (and the channels in use) to findings.
Secrets are never printed.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Mapping
from dataclasses import replace

from earshot.adapters.chat.doctor import Finding
from earshot.adapters.cli.builders import discord_config, fetch_policy
from earshot.adapters.http import FetchError, SafeHttp
from earshot.adapters.http.errors import redact_url
from earshot.adapters.settings import Settings
from earshot.adapters.settings.load import missing_chat_tokens
from earshot.adapters.settings.redact import mask_webhook_url
from earshot.adapters.storage import SqlStore, create_engine

log = logging.getLogger("earshot")


async def channels_in_use(settings: Settings) -> tuple[list[str], Finding | None]:
    """The default channel and every topic's channel, from the file and, when reachable, the database; and a
    warning when the database could not be read."""
    channels = [settings.chat.channel, *(t.channel for t in settings.topics if t.channel)]
    warning = None
    engine = create_engine(settings.database_url)
    try:
        async with SqlStore(engine).unit() as unit:
            channels += [t.channel for t in await unit.list_topics() if t.channel]
    except Exception as exc:  # doctor must work before the database does
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        warning = Finding(True, f"only the config file's channels are checked: cannot read the database ({reason})")
    finally:
        await engine.dispose()
    return list(dict.fromkeys(channels)), warning


async def diagnose(settings: Settings) -> list[Finding]:
    """The findings for the configured platform."""
    platform = settings.chat.platform
    findings = [Finding(True, f"config: {settings.path or 'defaults'}; platform {platform}")]
    findings += source_credentials(settings, os.environ)
    if platform == "webhook":
        return [*findings, await webhook_reachable(settings)]
    if platform not in ("slack", "discord"):
        return [*findings, Finding(True, f'platform "{platform}" has nothing to check beyond `earshot check-config`')]
    missing = missing_chat_tokens(settings)
    if missing:  # nothing more can be asked of the platform without them
        return [*findings, *(Finding(False, text.split(":", 1)[0], text.split(":", 1)[1].strip()) for text in missing)]
    channels, warning = await channels_in_use(settings)
    if warning is not None:
        findings.append(warning)
    if platform == "slack":
        from earshot.adapters.chat.slack.doctor import diagnose as slack

        s = settings.slack
        assert s.bot_token is not None  # missing_chat_tokens found it
        findings += await slack(
            bot_token=s.bot_token, app_token=s.app_token, mode=s.mode, api_url=s.api_url, channels=channels
        )
    else:
        from earshot.adapters.chat.discord.doctor import check

        for level, text in await check(discord_config(settings), channels):
            findings.append(Finding(level != "error", f"warning: {text}" if level == "warning" else text))
    return findings


def source_credentials(settings: Settings, env: Mapping[str, str]) -> list[Finding]:
    """Whether each credential a configured feed's kind requires is set (its value never shown)."""
    from earshot.adapters.sources.registry import declarations

    known = declarations()
    findings = []
    for kind in dict.fromkeys(feed.kind for feed in settings.feeds):
        declaration = known.get(kind)
        for var in declaration.env if declaration else ():
            if not var.required:
                continue
            if env.get(var.name, "").strip():
                findings.append(Finding(True, f"{kind} feeds: {var.name} is set"))
            else:
                findings.append(
                    Finding(False, f"{kind} feeds: {var.name} is not set", f"set {var.name}: {var.purpose}")
                )
    return findings


async def webhook_reachable(settings: Settings) -> Finding:
    """Whether the webhook receiver answers HTTP at all: a HEAD, which posts nothing a receiver would act on.

    Any answer below 500 means it is there (a receiver taking only POST may well say 404 or 405 to a HEAD)."""
    url = settings.chat.webhook_url
    assert url is not None  # the settings refuse platform "webhook" without one
    shown = mask_webhook_url(url)
    policy = replace(fetch_policy(settings), timeout=min(settings.fetch.timeout, 5.0), deadline=10.0)
    fix = "start the receiver, or correct chat.webhook_url (or EARSHOT_WEBHOOK_URL)"
    try:
        async with SafeHttp(policy) as http:
            answer = await http.request("HEAD", url)
    except FetchError as exc:
        reason = str(exc)
        for form in (url, redact_url(url)):  # the path of a webhook URL is usually its token
            reason = reason.replace(form, shown)
        return Finding(False, f"webhook {shown}: unreachable: {reason}", fix)
    if answer.status >= 500:
        return Finding(False, f"webhook {shown}: reachable, but it answers HTTP {answer.status}", fix)
    return Finding(True, f"webhook {shown}: reachable (HTTP {answer.status} to a HEAD request; nothing was posted)")


async def doctor(settings: Settings) -> int:
    """Print every finding; exit 1 when something needs fixing."""
    from earshot.adapters.cli.doctor_sources import source_credentials

    findings = [*await diagnose(settings), *await source_credentials(settings)]
    for finding in findings:
        print(finding.line())
    broken = sum(not f.ok for f in findings)
    print(f"\n{broken} thing(s) to fix" if broken else "\nall good")
    return 1 if broken else 0


async def discord_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Print the URL that adds the bot to a server with exactly the permissions it needs."""
    from earshot.adapters.chat.discord.invite import application_id, invite_url

    client_id = args.client_id or await application_id(discord_config(settings))
    guild = args.guild or (settings.discord.guild if (settings.discord.guild or "").isdigit() else None)
    print(invite_url(client_id, guild))
    return 0
