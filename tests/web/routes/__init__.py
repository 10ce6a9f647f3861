"""Route tables for ``tests/web/test_access.py``, one module per area of the app.

Each module defines ``ROUTES``: ``(method, path, permission or None for public pages, form
data)`` with ``{name}`` where the URL rule has ``<int:name>``; and, when its paths need
objects the shared fixture does not hold, ``placeholders(app) -> dict[str, int]`` creating
them (called once per test module)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

from flask import Flask

Route = tuple[str, str, str | None, dict[str, str]]


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in pkgutil.iter_modules(__path__)]


def all_routes() -> list[Route]:
    routes: list[Route] = []
    for module in _modules():
        routes.extend(module.ROUTES)
    return routes


def placeholder_makers() -> list[Callable[[Flask], dict[str, Any]]]:
    return [module.placeholders for module in _modules() if hasattr(module, "placeholders")]
