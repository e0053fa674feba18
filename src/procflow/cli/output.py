"""Shared output helpers: every command prints for people or, with
``--format json``, for machines, through the same two functions."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import click
from rich.console import Console

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for machines.",
)


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _default(obj: Any) -> Any:
    if isinstance(obj, datetime | date | time):
        return obj.isoformat()
    if isinstance(obj, timedelta):
        return obj.total_seconds()
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    to_dict = getattr(obj, "to_dict", None) or getattr(obj, "model_dump", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def dumps(data: Any) -> str:
    return json.dumps(data, default=_default, ensure_ascii=False, indent=2)


def emit(fmt: str, data: Any, render: Callable[[Console], None]) -> None:
    """Print ``data`` as JSON, or call ``render`` for the human form."""
    if fmt == "json":
        sys.stdout.write(dumps(data) + "\n")
    else:
        render(console())
