"""Payloads of the local Discord, in the shapes of Discord's API and gateway: the guild, its people, messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GUILD_ID = "290926798626357999"
APP_ID = "290926444748734465"
BOT_ID = APP_ID
CHANNELS = {"conversations": "345626669114982402", "vector-db": "345626669114982403"}
EVERYONE_PERMISSIONS = 1024 | 2048 | 16384 | 65536 | 64 | (1 << 31)  # view, send, embed, history...
MOD_ROLE_ID = "290926798626358001"
MANAGE_MESSAGES = 1 << 13
MANAGE_GUILD = 1 << 5
TOKEN = "MzQ0NDg3ODMwODI0OTQzNjE4.fake.token-for-tests"  # a test value


@dataclass
class Person:
    """A guild member the tests act as."""

    id: str
    name: str
    roles: tuple[str, ...] = ()
    permissions: int = EVERYONE_PERMISSIONS

    def user(self) -> dict[str, Any]:
        """The user object."""
        return {"id": self.id, "username": self.name, "discriminator": "0", "global_name": self.name, "avatar": None}

    def member(self) -> dict[str, Any]:
        """The guild member object (as in GUILD_CREATE and reaction events)."""
        return {
            "user": self.user(),
            "roles": list(self.roles),
            "nick": None,
            "joined_at": "2017-03-13T19:19:14.040000+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }


ALICE = Person("53908232506183680", "alice")
BOB = Person("80351110224678912", "bob")
MOD = Person(
    "134127815531560960", "mod", roles=(MOD_ROLE_ID,), permissions=EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MANAGE_GUILD
)


def ready(gateway_url: str) -> dict[str, Any]:
    """The READY event's data."""
    return {
        "v": 10,
        "user": bot_user(),
        "session_id": "c5adc7ce7f411cde10440df5f888dc22",
        "resume_gateway_url": gateway_url,
        "guilds": [{"id": GUILD_ID, "unavailable": True}],
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "shard": [0, 1],
        "application": {"id": APP_ID, "flags": 0},
        "user_settings": {},
        "_trace": ["fake-gateway"],
    }


def channels(overwrites: dict[str, list[dict[str, Any]]], listed: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The guild's text channels (``listed``: name -> id, CHANNELS by default), with the permission overwrites given
    per channel id."""
    return [
        {
            "id": cid,
            "type": 0,
            "name": name,
            "position": i,
            "permission_overwrites": overwrites.get(cid, []),
            "topic": None,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "last_message_id": None,
        }
        for i, (name, cid) in enumerate((CHANNELS if listed is None else listed).items())
    ]


def guild(
    overwrites: dict[str, list[dict[str, Any]]], everyone_permissions: int, text_channels: dict[str, str] | None = None
) -> dict[str, Any]:
    """The GUILD_CREATE data: channels (CHANNELS unless ``text_channels`` names others), the @everyone and moderator
    roles, the bot's own member."""
    bot = Person(BOT_ID, "Earshot")
    listed = [c | {"guild_id": GUILD_ID} for c in channels(overwrites, text_channels)]
    roles = [
        role(GUILD_ID, "@everyone", everyone_permissions, 0),
        role(MOD_ROLE_ID, "moderators", MOD.permissions, 1),
    ]
    return {
        "id": GUILD_ID,
        "name": "Earshot Test",
        "icon": None,
        "owner_id": MOD.id,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "large": False,
        "unavailable": False,
        "member_count": 4,
        "joined_at": "2017-03-13T19:19:14.040000+00:00",
        "channels": listed,
        "threads": [],
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "members": [bot.member()],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "application_id": None,
    }


def kinds(path: list[str]) -> list[int]:
    """Option types along a command path: a group (2) then a subcommand (1), or a lone subcommand."""
    return [2, 1] if len(path) == 2 else [1]


def name_of(channel: str) -> str:
    return next((name for name, cid in CHANNELS.items() if cid == channel), "unknown")


def role(role_id: str, name: str, permissions: int, position: int) -> dict[str, Any]:
    """A role object."""
    return {
        "id": role_id,
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }


def partial_guild() -> dict[str, Any]:
    """A guild as /users/@me/guilds lists it."""
    return {"id": GUILD_ID, "name": "Earshot Test", "icon": None, "owner": False, "permissions": "0", "features": []}


def bot_user() -> dict[str, Any]:
    """The bot's user object."""
    return {
        "id": BOT_ID,
        "username": "Earshot",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": True,
        "verified": True,
        "mfa_enabled": False,
        "flags": 0,
    }


def application() -> dict[str, Any]:
    """The application object (/oauth2/applications/@me)."""
    return {
        "id": APP_ID,
        "name": "Earshot",
        "icon": None,
        "description": "",
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": ALICE.user(),
        "flags": 0,
        "summary": "",
        "team": None,
    }


def message(message_id: str, channel: str, body: dict[str, Any]) -> dict[str, Any]:
    """A message object as the REST API returns it."""
    return {
        "id": message_id,
        "type": 0,
        "channel_id": channel,
        "guild_id": GUILD_ID,
        "author": bot_user(),
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2026-11-30T02:00:00.000000+00:00",
        "edited_timestamp": None,
        "flags": body.get("flags") or 0,
        "nonce": body.get("nonce"),
    }
