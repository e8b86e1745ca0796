"""Find the config file, read it, apply the environment and check everything once, reporting every problem."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from earshot.adapters.sources.registry import declarations
from earshot.bot.errors import ConfigError

from . import starter
from .build import build_settings
from .problems import Loc, Problem, cross_checks, from_pydantic, key_of, value_of
from .sections import ConfigFile
from .typed import Settings

DEFAULT_CONFIG_NAME = "earshot.toml"
CONFIG_ENV = "EARSHOT_CONFIG"
DATABASE_URL_ENV = "EARSHOT_DATABASE_URL"
WEBHOOK_URL_ENV = "EARSHOT_WEBHOOK_URL"
WEBHOOK_SECRET_ENV = "EARSHOT_WEBHOOK_SECRET"  # noqa: S105  # a variable name, not a secret
DISCORD_TOKEN_ENV = "DISCORD_TOKEN"  # noqa: S105  # a variable name, not a secret
LLM_API_KEY_ENV = "EARSHOT_LLM_API_KEY"
SLACK_ENV = {"bot_token": "SLACK_BOT_TOKEN", "app_token": "SLACK_APP_TOKEN", "signing_secret": "SLACK_SIGNING_SECRET"}

OPS_PORT_ENV = "EARSHOT_OPS_PORT"
OPS_HOST_ENV = "EARSHOT_OPS_HOST"

_OVERRIDES: dict[Loc, str] = {
    ("database", "url"): DATABASE_URL_ENV,
    ("chat", "webhook_url"): WEBHOOK_URL_ENV,
    ("ops", "port"): OPS_PORT_ENV,  # the Docker image turns /healthz on for its HEALTHCHECK
    ("ops", "host"): OPS_HOST_ENV,
}
_REFERENCE = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_NOT_FOUND = "not found; run `earshot init` to write a starter file, or pass --config PATH"


class ConfigProblems(ConfigError):
    """A config that cannot be used; ``problems`` holds one line per problem, and str() is all of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(problems))


def find_config(cli_path: str | None, env: Mapping[str, str]) -> Path:
    """The config file to use: --config beats EARSHOT_CONFIG beats ./earshot.toml (it may not exist yet)."""
    chosen = cli_path or env.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME
    return Path(chosen).expanduser()


def load_settings(
    path: Path | None, env: Mapping[str, str], *, require_file: bool = True, chat_tokens: bool = True
) -> Settings:
    """Read and check the config once; raise ConfigProblems listing every problem, one per line.

    ``chat_tokens=False`` skips the check for the chat platform's tokens and the judge's key, for commands that
    never talk to them (`earshot db`, run where the migrations run, which need not hold them).
    """
    label = str(path) if path is not None else DEFAULT_CONFIG_NAME
    data = _read(path, label, require_file)
    templates: dict[Loc, str] = {}
    env_problems: list[Problem] = []
    data = _substitute(data, (), env, templates, env_problems)
    for loc, variable in _OVERRIDES.items():
        section = str(loc[0])
        if env.get(variable) and isinstance(data.get(section, {}), dict):
            value = env[variable].strip()
            data.setdefault(section, {})[loc[1]] = int(value) if loc == ("ops", "port") and value.isdigit() else value
            templates.pop(loc, None)
            env_problems = [p for p in env_problems if p.loc != loc]
    problems: list[Problem] = []
    file: ConfigFile | None = None
    try:
        file = ConfigFile.model_validate(data)
    except ValidationError as error:
        problems.extend(from_pydantic(detail) for detail in error.errors(include_url=False))
    problems.extend(cross_checks(data))
    if chat_tokens and file is not None:
        problems.extend(chat_token_problems(file.chat.platform, file.slack.mode, env))
        problems.extend(judge_key_problems(file, env))
    broken = {p.loc for p in env_problems}  # a value that could not be filled in is reported once, for that
    problems = env_problems + [p for p in problems if p.loc not in broken]
    if problems or file is None:
        raise ConfigProblems(_messages(label, data, templates, problems, env))
    secret = env.get(WEBHOOK_SECRET_ENV, "").strip() or None
    tokens = {key: env[name].strip() for key, name in SLACK_ENV.items() if env.get(name, "").strip()}
    llm_key = env.get(LLM_API_KEY_ENV, "").strip() or None
    discord = env.get(DISCORD_TOKEN_ENV, "").strip() or None
    key_env = file.judge.api_key_env
    judge_key = (env.get(key_env, "").strip() or None) if key_env else None
    return build_settings(
        path,
        file,
        webhook_secret=secret,
        llm_api_key=llm_key,
        slack_tokens=tokens,
        discord_token=discord,
        judge_api_key=judge_key,
    )


def judge_key_problems(file: ConfigFile, env: Mapping[str, str]) -> list[Problem]:
    """The judge's key, when ``[judge]`` is on and names a variable the environment lacks."""
    judge = file.judge
    if not (judge.enabled or judge.suggest) or not judge.api_key_env or env.get(judge.api_key_env, "").strip():
        return []
    text = (
        f"the environment variable {judge.api_key_env} is not set; export it with the endpoint's API key, or "
        "leave api_key_env out for a server that needs no key (a local one)"
    )
    return [Problem(("judge", "api_key_env"), text)]


def chat_token_problems(platform: str, slack_mode: str, env: Mapping[str, str]) -> list[Problem]:
    """The credentials the chat platform needs and the environment lacks, each with where to get it."""
    if platform == "slack":
        return slack_token_problems(slack_mode, env)
    if platform == "discord" and not env.get(DISCORD_TOKEN_ENV, "").strip():
        where = (
            "the Developer Portal (https://discord.com/developers/applications → your application → Bot → Reset Token)"
        )
        return [
            Problem(
                ("chat", "platform"),
                f'"discord" needs {DISCORD_TOKEN_ENV} in the environment: set it to the bot token from {where}',
            )
        ]
    return []


def missing_chat_tokens(settings: Settings) -> list[str]:
    """What the configured chat platform lacks (read from the environment at load), as sentences saying where to
    get it."""
    s = settings.slack
    held = {SLACK_ENV["bot_token"]: s.bot_token, SLACK_ENV["app_token"]: s.app_token}
    held |= {SLACK_ENV["signing_secret"]: s.signing_secret, DISCORD_TOKEN_ENV: settings.discord.token}
    env = {name: value for name, value in held.items() if value}
    return [p.text for p in chat_token_problems(settings.chat.platform, s.mode, env)]


def slack_token_problems(mode: str, env: Mapping[str, str]) -> list[Problem]:
    """The Slack tokens the chosen mode needs and the environment lacks (or holds the wrong kind of)."""
    where = "the app's page at https://api.slack.com/apps"
    needed = [
        ("SLACK_BOT_TOKEN", "xoxb-", f"the Bot User OAuth Token (xoxb-...) from OAuth & Permissions on {where}"),
    ]
    if mode == "socket":
        needed.append(
            (
                "SLACK_APP_TOKEN",
                "xapp-",
                f"an App-Level Token (xapp-...) with connections:write, from Basic Information on {where}",
            )
        )
    else:
        needed.append(("SLACK_SIGNING_SECRET", "", f"the Signing Secret from Basic Information on {where}"))
    problems = []
    for name, prefix, what in needed:
        value = env.get(name, "").strip()
        if not value:
            problems.append(Problem(("chat", "platform"), f'"slack" needs {name} in the environment: set it to {what}'))
        elif prefix and not value.startswith(prefix):
            problems.append(Problem(("chat", "platform"), f"{name} does not start with {prefix}: set it to {what}"))
    return problems


def _read(path: Path | None, label: str, require_file: bool) -> dict[str, Any]:
    if path is None:
        if require_file:
            raise ConfigProblems([f"{label}: {_NOT_FOUND}"])
        return {}
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        if require_file:
            raise ConfigProblems([f"{label}: {_NOT_FOUND}"]) from None
        return {}
    except IsADirectoryError:
        raise ConfigProblems([f"{label}: is a directory; pass the path of the config file"]) from None
    except OSError as error:
        raise ConfigProblems([f"{label}: cannot be read ({error.strerror}); check its permissions"]) from None
    except UnicodeDecodeError:
        raise ConfigProblems([f"{label}: not UTF-8 text; save it as UTF-8"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigProblems([f"{label}: {_syntax_error(str(error))}"]) from None
    if not data and require_file:
        hint = "run `earshot init --force` to write a starter file over it, or add the sections you need"
        raise ConfigProblems([f"{label}: empty; nothing is configured: {hint}"])
    return data


def _syntax_error(message: str) -> str:
    where = _TOML_WHERE.search(message)
    reason = message[: where.start()] if where else message
    if where is None:
        return f"TOML syntax error: {reason}"
    if where.group(1) is None:
        return f"end of file: TOML syntax error: {reason}"
    return f"line {where.group(1)}: TOML syntax error: {reason} (column {where.group(2)})"


def _substitute(node: Any, loc: Loc, env: Mapping[str, str], templates: dict[Loc, str], out: list[Problem]) -> Any:
    """Replace ${NAME} in every string value with the environment's value ($${NAME} stays literal)."""
    if isinstance(node, dict):
        return {key: _substitute(value, (*loc, key), env, templates, out) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(value, (*loc, i), env, templates, out) for i, value in enumerate(node)]
    if not isinstance(node, str) or "${" not in node:
        return node

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)[1:]
        name = match.group(2)
        if name not in env:
            out.append(Problem(loc, f"environment variable {name} is not set; export it before starting"))
        elif not env[name]:
            out.append(Problem(loc, f"environment variable {name} is empty; export it with a value before starting"))
        return env.get(name, "")

    templates[loc] = node
    return _REFERENCE.sub(replace, node)


def _messages(
    label: str, data: Mapping[str, Any], templates: Mapping[Loc, str], problems: list[Problem], env: Mapping[str, str]
) -> list[str]:
    order = {key: i for i, key in enumerate(data)}

    def position(problem: Problem) -> tuple[int, int]:
        loc = problem.loc
        item = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
        return (order.get(str(loc[0]), len(order)) if loc else -1, item)

    lines: list[str] = []
    for problem in sorted(problems, key=position):
        key = key_of(problem.loc, data)
        if problem.loc in _OVERRIDES and env.get(_OVERRIDES[problem.loc]):
            key += f" (from {_OVERRIDES[problem.loc]})"
        shown = f" = {value_of(problem.loc, data, templates)}" if problem.shows_value else ""
        line = f"{label}: {key}{shown}: {problem.text}" if key else f"{label}: {problem.text}"
        if line not in lines:
            lines.append(line)
    return lines


def starter_config() -> str:
    """The text of the commented starter file that `earshot init` writes, its feed kinds as they declare."""
    return starter.render(starter.template(), declarations())


def write_starter(path: Path, *, force: bool = False) -> None:
    """Write the starter file to ``path``; refuse to overwrite an existing file unless ``force``."""
    try:
        with path.open("w" if force else "x", encoding="utf-8") as handle:
            handle.write(starter_config())
    except FileExistsError:
        raise ConfigError(f"{path} exists already; pass --force to overwrite") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be written ({error.strerror})") from None
