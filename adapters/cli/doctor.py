"""`earshot doctor` and `earshot discord invite`: check the chat platform's setup and say what to fix."""

from __future__ import annotations

import argparse

from adapters.settings import Settings

MARKS = {"ok": "ok     ", "warning": "warning", "error": "ERROR  "}


async def doctor(settings: Settings) -> int:
    """Run the platform's checks and print one line per finding; exit 1 if any is an error."""
    findings: list[tuple[str, str]] = [
        ("ok", f"config: {settings.path or 'defaults'}; platform {settings.chat.platform}")
    ]
    if settings.chat.platform == "discord":
        from adapters.chat.discord.doctor import check

        channels = [settings.chat.channel, *(t.channel for t in settings.topics if t.channel)]
        try:
            channels += await _topic_channels(settings)
        except Exception as exc:  # the doctor still checks the file's channels without the database
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            findings.append(
                ("warning", f"only the config file's channels are checked: cannot read the database ({reason})")
            )
        findings += await check(settings.discord, channels)
    else:
        findings.append(("ok", f"platform {settings.chat.platform}: nothing to check"))
    for level, text in findings:
        print(f"{MARKS.get(level, level)}  {text}")
    return 1 if any(level == "error" for level, _ in findings) else 0


async def _topic_channels(settings: Settings) -> list[str]:
    """Channels of the topics kept in the database (added with /earshot or `earshot topics add`)."""
    from adapters.cli.app import open_app

    async with open_app(settings, check_schema=False) as app, app.store.unit() as unit:
        return [t.channel for t in await unit.list_topics() if t.channel]


async def discord_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Print the URL that adds the bot to a server with exactly the permissions it needs."""
    from adapters.chat.discord.invite import application_id, invite_url

    client_id = args.client_id or await application_id(settings.discord)
    print(
        invite_url(
            client_id, args.guild or (settings.discord.guild if (settings.discord.guild or "").isdigit() else None)
        )
    )
    return 0
