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

    date: _dt.date = Field(description="The day, YYYY-MM-DD.")
    name: str = Field(min_length=1, description="What the day is, e.g. 'Tết Nguyên đán'.")
    source: str = Field(min_length=1, description="The decision or law that sets it.")
    confirmed: StrictBool = Field(
        description="true once checked against the published text; false: recalled."
    )
    note: str | None = Field(default=None, description="A remark on this day.")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> _dt.date:
        return iso_date(v)


class SwapEntry(_Model):
    """A swap (hoán đổi): ``day_off`` becomes a day off, ``working_day`` is worked."""

    day_off: date = Field(description="The working day that becomes a day off.")
    working_day: date = Field(description="The day normally off that is worked instead.")
    name: str = Field(min_length=1, description="What the swap is for.")
    source: str = Field(min_length=1, description="The decision that orders it.")
    confirmed: StrictBool = Field(
        description="true once checked against the published text; false: recalled."
    )
    note: str | None = Field(default=None, description="A remark on this swap.")

    @field_validator("day_off", "working_day", mode="before")
    @classmethod
    def _date(cls, v: Any) -> date:
        return iso_date(v)


class YearBlock(_Model):
    note: str | None = Field(default=None, description="Remarks on the year's decisions.")
    days_off: list[DayEntry] = Field(
        default_factory=list, description="Extra days off (beyond the statutory holidays)."
    )
    working_days: list[DayEntry] = Field(
        default_factory=list, description="Days normally off that are worked."
    )
    swaps: list[SwapEntry] = Field(
        default_factory=list, description="A working day off traded for a worked day off."
    )


class Base(_Model):
    """Where the statutory holidays come from: the ``holidays`` package."""

    holidays: str = Field(min_length=2, description="country code, e.g. VN")
    subdiv: str | None = Field(
        default=None, description="A subdivision code of the holidays package, if any."
    )


class OverlayFile(_Model):
    version: Literal[1] = Field(description="Version of the overlay format: 1.")
    name: str = Field(min_length=1, description="What the calendar is, e.g. a province's name.")
    description: str | None = Field(default=None, description="More about it, for readers.")
    base: Base | None = Field(
        default=None, description="Where the statutory holidays come from (national file)."
    )
    timezone: str | None = Field(default=None, description="IANA zone, e.g. Asia/Ho_Chi_Minh.")
    weekend: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] | None = Field(
        default=None, description="The weekly days off, e.g. [sat, sun]."
    )
    office_hours: list[str] | None = Field(
        default=None, description="Working hours of a day, e.g. ['07:30-11:30', '13:30-17:00']."
    )
    same_day_cutoff: str | None = Field(
        default=None, description="Same-day services: received after this time, due next day."
    )
    years: dict[int, YearBlock] = Field(
        default_factory=dict, description="Per year: its extra days off, worked days and swaps."
    )
