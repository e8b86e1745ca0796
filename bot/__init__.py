"""Earshot's platform-free core: domain types, ports, pure decisions and use cases."""

__version__ = "0.1.0"
