"""Settings: the TOML config file and the environment, checked once at start into typed objects."""

from .durations import format_duration, format_size, parse_duration, parse_size
from .load import (
    DEFAULT_CONFIG_NAME,
    ConfigProblems,
    find_config,
    load_settings,
    starter_config,
    write_starter,
)
from .typed import ChatSettings, DeliverySettings, FetchSettings, ScheduleSettings, ScoringSettings, Settings

__all__ = [
    "DEFAULT_CONFIG_NAME",
    "ChatSettings",
    "ConfigProblems",
    "DeliverySettings",
    "FetchSettings",
    "ScheduleSettings",
    "ScoringSettings",
    "Settings",
    "find_config",
    "format_duration",
    "format_size",
    "load_settings",
    "parse_duration",
    "parse_size",
    "starter_config",
    "write_starter",
]
