"""Earshot: finds the conversations worth joining and brings them to your team's chat.

The one package Earshot installs. Its parts live in the repository's top-level folders, which this folder links to:
``earshot.bot`` (``bot/``, the platform-free core), ``earshot.adapters`` (``adapters/``, the edges) and
``earshot.migrations`` (``migrations/``, Alembic). A wheel holds them as ordinary subpackages of ``earshot``.
"""
