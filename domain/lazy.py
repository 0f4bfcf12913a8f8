"""Modules imported where they are used, not when their importer loads.

scipy's optimizer, chromadb and the openai client each take 0.3-1 s to import; most commands and
most turns never touch them, so ``c360 --help`` and ``c360 ask`` should not pay for them.
``lazy_module("scipy.special")`` stands in for the module and imports it on the first attribute
read (then it is an ordinary ``sys.modules`` lookup).
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """A module that is imported the first time one of its attributes is read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _load(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> Any:
    return LazyModule(name)
