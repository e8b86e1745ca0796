"""What is wrong with a config file, for a person: the key, the value (secrets masked) and what would be right."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from earshot.adapters.sources.registry import declarations
from earshot.bot.ports import SourceKind
from earshot.bot.ports.sources import ENV_NAME

from . import fields, guest, sections
from .durations import parse_duration
from .redact import MASK, mask_database_url, mask_url, mask_webhook_url

Loc = tuple[str | int, ...]

_SECTIONS: dict[tuple[str, ...], type[BaseModel]] = {
    (): sections.ConfigFile,
    ("database",): sections.DatabaseSection,
    ("chat",): sections.ChatSection,
    ("fetch",): sections.FetchSection,
    ("schedule",): sections.ScheduleSection,
    ("delivery",): sections.DeliverySection,
    ("log",): sections.LogSection,
    ("discord",): sections.DiscordSection,
    ("summary",): sections.SummarySection,
    ("judge",): sections.JudgeSection,
    ("slack",): sections.SlackSection,
    ("scoring",): sections.ScoringSection,
    ("participation",): sections.ParticipationSection,
    ("outcomes",): sections.OutcomesSection,
    ("report",): sections.ReportSection,
    ("claims",): sections.ClaimsSection,
    ("team", "#"): sections.TeamEntry,
    ("feeds", "#"): sections.FeedEntry,
    ("topics", "#"): sections.TopicEntry,
    ("ours",): guest.OursSection,
    ("rules", "#"): guest.RuleEntry,
}
_KEY_ALIASES = {"interval": "every", "frequency": "every", "period": "every", "address": "url", "feed_url": "url"}
_UNKNOWN_HINTS: dict[tuple[str, ...], str] = {
    ("chat", "webhook_secret"): "the signing secret comes only from the environment: set EARSHOT_WEBHOOK_SECRET",
    ("discord", "token"): "the bot token comes only from the environment: set DISCORD_TOKEN",
    ("database", "password"): "put the password in url, or set EARSHOT_DATABASE_URL in the environment",
    ("summary", "api_key"): "the API key comes only from the environment: set EARSHOT_LLM_API_KEY",
    ("judge", "api_key"): "the API key comes only from the environment: name its variable in api_key_env",
    ("judge", "key"): "the API key comes only from the environment: name its variable in api_key_env",
    ("slack", "bot_token"): "Slack tokens come only from the environment: set SLACK_BOT_TOKEN",
    ("slack", "app_token"): "Slack tokens come only from the environment: set SLACK_APP_TOKEN",
    ("slack", "signing_secret"): "the signing secret comes only from the environment: set SLACK_SIGNING_SECRET",
    ("slack", "token"): "Slack tokens come only from the environment: set SLACK_BOT_TOKEN",
}
_MISSING_HINTS: dict[tuple[str, ...], str] = {
    ("feeds", "#", "name"): 'every feed needs a unique name, like name = "hn"',
    ("feeds", "#", "kind"): 'say what it is, like kind = "hackernews" or kind = "rss"',
    ("topics", "#", "name"): 'every topic needs a unique name, like name = "vector-db"',
    ("team", "#", "member"): 'say who it is: their chat user id, like member = "U024BE7LH"',
    ("rules", "#", "community"): 'say where the rule applies, like community = "reddit:r/python" or "hackernews"',
    ("topics", "#", "query"): "say what to look for, like query = '\"vector database\" OR pgvector'",
}
_MASKS: dict[Loc, Callable[[str], str]] = {
    ("chat", "webhook_url"): mask_webhook_url,
    ("database", "url"): mask_database_url,
    ("judge", "api_key_env"): lambda _: MASK,  # a key written here by mistake is never shown back
}
_TYPE_HINTS = {
    "bool_type": "not true or false; write true or false, without quotes",
    "list_type": 'not a list; write it in brackets, like ["a", "b"]',
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong, at a place in the file (``loc``; empty for the file as a whole)."""

    loc: Loc
    text: str
    shows_value: bool = False


def show(value: Any, limit: int = 80) -> str:
    """A value as it would look in TOML, cut short when long."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = f"'{value}'" if '"' in value and "'" not in value and "\n" not in value else json.dumps(value)
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, list):
        text = "[" + ", ".join(show(item, limit) for item in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k} = {show(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pattern(loc: Loc) -> tuple[str, ...]:
    return tuple("#" if isinstance(part, int) else part for part in loc)


def key_of(loc: Loc, data: Mapping[str, Any]) -> str:
    """The key as a person finds it: chat.webhook_url, feeds[2] "rust-blog".every, fetch.allow_private[1]."""
    out = ""
    node: Any = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part + 1}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            named = i == 1 and isinstance(node, dict) and isinstance(node.get("name"), str)
            if named and loc[i + 1 : i + 2] != ("name",):
                out += " " + show(node["name"], 40)
        else:
            out += ("." if out else "") + part
            node = node.get(part) if isinstance(node, dict) else None
    return out


def value_of(loc: Loc, data: Mapping[str, Any], templates: Mapping[Loc, str]) -> str:
    """The value at ``loc`` for a message: as written when it came from ${VAR}s, secrets always masked."""
    node: Any = templates.get(loc, data)
    if loc not in templates:
        for part in loc:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                node = None
    mask = _MASKS.get(loc) or (mask_url if loc and loc[-1] in ("url", "base_url") else None)
    if mask is None:
        return show(node)
    return show(mask(node) if isinstance(node, str) else MASK)


def from_pydantic(error: ErrorDetails) -> Problem:
    """Translate one pydantic error into a Problem with a hint."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return Problem(loc, unknown_key(loc))
    if kind == "missing":
        hint = _MISSING_HINTS.get(_pattern(loc), "this key is required")
        return Problem(loc, f"missing; {hint}")
    if kind == "value_error":
        return Problem(loc, str(error.get("ctx", {}).get("error", error["msg"])), shows_value=True)
    if kind in ("model_type", "dict_type"):
        if _pattern(loc) in (("feeds", "#"), ("topics", "#"), ("rules", "#")):
            return Problem(loc, f"not a table; write each one as a [[{loc[0]}]] section", shows_value=True)
        return Problem(loc, f"not a table; write it as a [{'.'.join(map(str, loc))}] section", shows_value=True)
    if kind == "list_type" and loc in (("feeds",), ("topics",), ("rules",)):
        return Problem(loc, f"not a list of tables; write each one as a [[{loc[0]}]] section", shows_value=True)
    return Problem(loc, _TYPE_HINTS.get(kind, error["msg"].lower()), shows_value=True)


def unknown_key(loc: Loc) -> str:
    """The message for a key the file may not have, with the closest known key when there is one."""
    section = _SECTIONS.get(_pattern(loc[:-1]))
    key = str(loc[-1])
    if _pattern(loc) in _UNKNOWN_HINTS:
        return f"unknown key; {_UNKNOWN_HINTS[_pattern(loc)]}"
    known = list(section.model_fields) if section else []
    close = _KEY_ALIASES.get(key.lower()) if _KEY_ALIASES.get(key.lower()) in known else fields.suggest(key, known)
    if close:
        return f'unknown key; did you mean "{close}"?'
    return f"unknown key; known keys here are {fields.one_of(known)}" if known else "unknown key"


def cross_checks(data: Mapping[str, Any]) -> list[Problem]:
    """Checks that span keys: the webhook URL, kind-specific feed keys, unique names, deadline against timeout, a
    topic's without_keyword against its about."""
    problems: list[Problem] = []
    chat = data.get("chat")
    if isinstance(chat, dict) and chat.get("platform") == "webhook" and "webhook_url" not in chat:
        problems.append(
            Problem(("chat", "webhook_url"), 'missing; platform "webhook" needs it (or set EARSHOT_WEBHOOK_URL)')
        )
    summary = data.get("summary")
    if isinstance(summary, dict):
        if summary.get("llm_base_url") and not summary.get("model"):
            problems.append(
                Problem(("summary", "model"), 'missing; llm_base_url needs a model to ask, like model = "gpt-4o-mini"')
            )
        if summary.get("model") and not summary.get("llm_base_url"):
            problems.append(
                Problem(
                    ("summary", "llm_base_url"),
                    'missing; model needs the endpoint to ask, like llm_base_url = "https://api.openai.com/v1"',
                )
            )
    problems.extend(_judge_checks(data.get("judge")))
    feeds = data.get("feeds")
    for i, feed in _tables(feeds):
        problems.extend(_feed_checks(i, feed))
    problems.extend(_duplicates("feeds", feeds))
    problems.extend(_duplicates("topics", data.get("topics")))
    for i, topic in _tables(data.get("topics")):
        about = topic.get("about")
        if topic.get("without_keyword") is True and not (isinstance(about, str) and about.strip()):
            problems.append(
                Problem(
                    ("topics", i, "without_keyword"),
                    'needs about; say in plain words what the topic is about, like about = "Teams running '
                    'PostgreSQL in production", so meaning can stand in for the keyword',
                )
            )
    problems.extend(Problem(loc, text) for loc, text in guest.rule_problems(data.get("rules")))
    fetch = data.get("fetch")
    if isinstance(fetch, dict):
        timeout, deadline = _duration(fetch.get("timeout", "10s")), _duration(fetch.get("deadline", "30s"))
        if timeout and deadline and deadline < timeout:
            set_here = "deadline" in fetch
            text = "shorter than" if set_here else 'missing, and the default "30s" is shorter than'
            text += f" fetch.timeout ({show(fetch.get('timeout', '10s'))}); make it at least as long"
            problems.append(Problem(("fetch", "deadline"), text, shows_value=set_here))
    return problems


def _feed_checks(i: int, feed: Mapping[str, Any]) -> Iterable[Problem]:
    """Which of url and base_url, query and tags a feed takes, as its kind declares (SourceKind)."""
    known = declarations()
    kind = feed.get("kind")
    declared = known.get(kind) if isinstance(kind, str) else None
    if declared is None:
        return  # an unknown kind is reported on its own key
    a_feed, example = declared.a_feed, declared.url_example

    def at(key: str) -> Loc:
        return ("feeds", i, key)

    if declared.target.takes_url:
        if "url" not in feed:
            yield Problem(at("url"), f'missing; {a_feed} needs {declared.url_means}, like url = "{example}"')
        if "base_url" in feed:
            yield Problem(at("base_url"), f'{a_feed} takes {declared.url_means} as url, like "{example}"')
    elif "url" in feed:
        yield Problem(at("url"), f"{a_feed} takes base_url (an API override), not url")
    if "query" in feed and not declared.query:
        yield Problem(
            at("query"), f"{a_feed} takes no query: it reads everything new, and your topics pick; leave it out"
        )
    options = feed.get("options")
    if isinstance(options, dict):
        yield from _option_types(declared, options, at("options"))
    if declared.tags:
        if feed.get("tags") == []:
            yield Problem(at("tags"), f"empty; list some of {fields.one_of(declared.tags)}, or leave it out")
    elif "tags" in feed:
        only = f"only for {fields.one_of(k for k, d in known.items() if d.tags)} feeds"
        if "tags" in declared.option_names:
            yield Problem(
                at("tags"), f'{only}; {a_feed} takes its settings in options, like options = {{ tags = ["rust"] }}'
            )
        else:
            yield Problem(at("tags"), f"{only}; leave it out", shows_value=True)


# What each declared option type refuses in the file (the CLI writes every value as text, and sources accept
# "true" for a flag and one word for a list, so text passes here and the source's check has the last word; a table
# is refused for every option already).
_WRONG_TYPE: dict[str, tuple[type, ...]] = {
    "text": (bool, list),
    ENV_NAME: (bool, int, float, list),
    "list of text": (bool, int, float),
    "true or false": (int, float, list),
}


def _option_types(declared: SourceKind, options: Mapping[str, Any], at: Loc) -> Iterable[Problem]:
    """An option whose value is plainly of another type than its kind declares, with the type and a default."""
    for option in declared.options:
        value = options.get(option.name)
        wrong = _WRONG_TYPE.get(option.type, ())
        if (
            value is None
            or not isinstance(value, wrong)
            or (isinstance(value, bool) and option.type == "true or false")
        ):
            continue
        like = f", like {option.name} = {show(option.default)}" if option.default not in (None, []) else ""
        yield Problem((*at, option.name), f"{declared.a_feed} takes {option.type} here{like}", shows_value=True)


def _duplicates(section: str, items: Any) -> Iterable[Problem]:
    first: dict[str, int] = {}
    for i, item in _tables(items):
        name = item.get("name")
        if not isinstance(name, str):
            continue
        if name in first:
            seen = first[name]
            text = f"duplicate; {section}[{seen + 1}] has the same name, and names must be unique"
            yield Problem((section, i, "name"), text, shows_value=True)
        else:
            first[name] = i


def _tables(items: Any) -> Iterable[tuple[int, dict[str, Any]]]:
    if isinstance(items, list):
        yield from ((i, item) for i, item in enumerate(items) if isinstance(item, dict))


def _duration(value: Any) -> timedelta | None:
    try:
        return parse_duration(value)
    except ValueError:
        return None


def _judge_checks(judge: object) -> list[Problem]:
    """A judge turned on (or its draft suggestions) needs an endpoint and a model."""
    if not isinstance(judge, dict):
        return []
    on = "enabled = true" if judge.get("enabled") is True else "suggest = true" if judge.get("suggest") is True else ""
    if not on:
        return []
    problems = []
    if not judge.get("url"):
        hint = 'like url = "http://127.0.0.1:8080/v1" (a local server) or "https://api.openai.com/v1"'
        problems.append(Problem(("judge", "url"), f"missing; {on} needs the endpoint to ask, {hint}"))
    if not judge.get("model"):
        problems.append(Problem(("judge", "model"), f'missing; {on} needs a model to ask, like model = "gpt-4o-mini"'))
    return problems
