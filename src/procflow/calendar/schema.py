"""The overlay file schema as pydantic models: the authority on what a file may say.

:func:`procflow.calendar.overlay.parse_overlay` first checks a file with a
small hand-written validator that accepts only documents these models
accept, with the same values (plain strings without surrounding blanks,
real booleans, ISO dates...). A file it is unsure of (or that is wrong) is
handed to these models, which either accept it or produce the error messages
the user sees. They live in their own module so that loading the shipped
``vn.yaml`` (every ``procflow calendar`` command, every engine start) does not
import pydantic or build these models: that alone cost about 0.15 s of CPU.
"""

from __future__ import annotations

import datetime as _dt
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from procflow.calendar.overlay import iso_date

__all__ = ["Base", "DayEntry", "OverlayFile", "SwapEntry", "YearBlock"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DayEntry(_Model):
    """One date that is off (``days_off``) or worked (``working_days``)."""

    date: _dt.date
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    confirmed: StrictBool
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> _dt.date:
        return iso_date(v)


class SwapEntry(_Model):
    """A swap (hoán đổi): ``day_off`` becomes a day off, ``working_day`` is worked."""

    day_off: date
    working_day: date
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    confirmed: StrictBool
    note: str | None = None

    @field_validator("day_off", "working_day", mode="before")
    @classmethod
    def _date(cls, v: Any) -> date:
        return iso_date(v)


class YearBlock(_Model):
    note: str | None = None
    days_off: list[DayEntry] = Field(default_factory=list)
    working_days: list[DayEntry] = Field(default_factory=list)
    swaps: list[SwapEntry] = Field(default_factory=list)


class Base(_Model):
    """Where the statutory holidays come from: the ``holidays`` package."""

    holidays: str = Field(min_length=2, description="country code, e.g. VN")
    subdiv: str | None = None


class OverlayFile(_Model):
    version: Literal[1]
    name: str = Field(min_length=1)
    description: str | None = None
    base: Base | None = None
    timezone: str | None = None
    weekend: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] | None = None
    office_hours: list[str] | None = None
    same_day_cutoff: str | None = None
    years: dict[int, YearBlock] = Field(default_factory=dict)
