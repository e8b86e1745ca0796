"""`earshot doctor`: run the chat platform's own checks and say exactly what to fix. Secrets are never printed.

Each platform adds its checks to ``diagnose``: a function from the settings (and the channels in use) to findings.
"""

from __future__ import annotations

import logging

from adapters.chat.doctor import Finding
from adapters.settings import Settings
from adapters.storage import SqlStore, create_engine

log = logging.getLogger("earshot")


async def channels_in_use(settings: Settings) -> list[str]:
    """The default channel and every topic's channel, from the file and, when reachable, the database."""
    channels = [settings.chat.channel, *(t.channel for t in settings.topics if t.channel)]
    engine = create_engine(settings.database_url)
    try:
        async with SqlStore(engine).unit() as unit:
            channels += [t.channel for t in await unit.list_topics() if t.channel]
    except Exception as exc:  # doctor must work before the database does
        log.debug("doctor: topics in the database not read: %s", exc)
    finally:
        await engine.dispose()
    return list(dict.fromkeys(channels))


async def diagnose(settings: Settings) -> list[Finding]:
    """The findings for the configured platform."""
    platform = settings.chat.platform
    if platform == "slack":
        from adapters.chat.slack.doctor import diagnose as slack

        s = settings.slack
        assert s.bot_token is not None  # the settings refuse platform "slack" without it
        return await slack(
            bot_token=s.bot_token,
            app_token=s.app_token,
            mode=s.mode,
            api_url=s.api_url,
            channels=await channels_in_use(settings),
        )
    return [Finding(True, f'platform "{platform}" has nothing to check beyond `earshot check-config`')]


async def doctor(settings: Settings) -> int:
    """Print every finding; exit 1 when something needs fixing."""
    findings = await diagnose(settings)
    for finding in findings:
        print(finding.line())
    broken = sum(not f.ok for f in findings)
    print(f"\n{broken} thing(s) to fix" if broken else "\nall good")
    return 1 if broken else 0
