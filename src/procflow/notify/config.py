"""The notification configuration: channels, who hears of what, retries.

A small YAML (or JSON) file, read with ``yaml.safe_load`` and validated with
pydantic; every mistake is reported at once with the file and the field
(``notify.yaml: channels.email.port: ...``). The format is in
docs/notifications.md. Secrets never sit in the file: a password or a token
is named by the environment variable that holds it (``password_env``,
``headers_env``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from procflow.notify.channels import ChannelSettings, channel_types
from procflow.notify.errors import NotifyConfigError

Language = Literal["vi", "en"]
LANGUAGES: tuple[str, ...] = get_args(Language)
CitizenNotice = Literal["receipt", "supplement", "apology", "result_ready", "returned", "refusal"]
OfficerNotice = Literal["warned", "overdue", "escalated"]
Notice = Literal[
    "receipt",
    "supplement",
    "apology",
    "result_ready",
    "returned",
    "refusal",
    "warned",
    "overdue",
    "escalated",
]
CITIZEN_NOTICES: tuple[CitizenNotice, ...] = get_args(CitizenNotice)
OFFICER_NOTICES: tuple[OfficerNotice, ...] = get_args(OfficerNotice)

_NAME = r"^[a-z][a-z0-9_-]{0,62}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Retry(_Model):
    """How often and how long a failed delivery is tried again."""

    max_attempts: int = Field(default=8, ge=1, le=100)
    """Attempts in all; after the last failure the delivery is dead-lettered."""
    first_seconds: float = Field(default=60.0, gt=0)
    """The wait after the first failure."""
    factor: float = Field(default=2.0, ge=1)
    """Each further wait is this many times the one before (exponential backoff)."""
    max_seconds: float = Field(default=6 * 3600.0, gt=0, le=30 * 86400)
    jitter: float = Field(default=0.1, ge=0, le=1)
    """Each wait is moved by up to this fraction either way, so that deliveries
    that failed together (a server down) do not all come back at once."""
    lease_seconds: float = Field(default=300.0, gt=0)
    """How long a dispatcher holds what it claimed; another takes it over after."""
    batch: int = Field(default=100, ge=1, le=10_000)
    """Outbox items or deliveries claimed at a time."""

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1, 2, ...)."""
        try:
            grown = self.first_seconds * self.factor ** max(0, attempts - 1)
        except OverflowError:
            grown = self.max_seconds
        seconds = min(self.max_seconds, grown)
        if self.jitter:
            seconds *= 1 + (rng or random).uniform(-self.jitter, self.jitter)
        return timedelta(seconds=seconds)


class Citizen(_Model):
    """What the applicant hears of, on which channels."""

    channels: list[str] = Field(default_factory=list)
    notices: list[CitizenNotice] = Field(default_factory=lambda: list(CITIZEN_NOTICES))
    language_field: str = "language"
    """The applicant field that holds ``vi`` or ``en`` (else the file's ``language``)."""


class Officer(_Model):
    """An officer told of the dossiers their agency holds."""

    id: str = Field(pattern=_NAME)
    name: str | None = None
    agency: str = Field(min_length=1)
    roles: list[str] = Field(default_factory=list)
    language: Language = "vi"
    email: str | None = None
    phone: str | None = None
    contacts: dict[str, str] = Field(default_factory=dict)
    """Other addresses by field name (``zalo: ...``), for channels that read them."""
    notices: list[OfficerNotice] = Field(default_factory=lambda: list(OFFICER_NOTICES))
    channels: list[str] | None = None
    """Default: the file's ``officer_channels``."""

    def contact(self, field: str) -> str | None:
        if field == "email":
            return self.email
        if field == "phone":
            return self.phone
        return self.contacts.get(field)


class Feed(_Model):
    """A system told of every notice of some kinds (the provincial portal)."""

    name: str = Field(pattern=_NAME)
    channel: str
    notices: list[Notice] = Field(default_factory=lambda: list(get_args(Notice)))
    language: Language = "vi"


class NotifyConfig(_Model):
    """The whole file (see docs/notifications.md)."""

    language: Language = "vi"
    """The applicant's language when the dossier does not say."""
    templates: Path | None = None
    """A folder of templates that replace the built-in ones, file by file."""
    channels: dict[str, ChannelSettings] = Field(default_factory=dict)
    citizen: Citizen = Field(default_factory=Citizen)
    officers: list[Officer] = Field(default_factory=list)
    officer_channels: list[str] = Field(default_factory=list)
    feeds: list[Feed] = Field(default_factory=list)
    retry: Retry = Field(default_factory=Retry)

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths are read from (the file's own)."""
        return self._base_dir

    @property
    def templates_dir(self) -> Path | None:
        if self.templates is None:
            return None
        return self.templates if self.templates.is_absolute() else self._base_dir / self.templates


def load_config(path: str | Path) -> NotifyConfig:
    """Read and check the configuration file at ``path``."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotifyConfigError(
            f"{source}: no such notification configuration file; see docs/notifications.md "
            "for its format"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise NotifyConfigError(f"{source}: not valid YAML or JSON: {exc}") from None
    return parse_config(data, source=str(source), base_dir=source.resolve().parent)


def parse_config(
    data: Any, *, source: str = "notification configuration", base_dir: Path | None = None
) -> NotifyConfig:
    """Check configuration ``data`` (the file's content as Python values).

    Every problem is collected, then all are raised together in one
    :class:`NotifyConfigError` naming ``source`` and each field.
    """
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise NotifyConfigError(
            f"{source}: expected a mapping of settings (channels:, citizen:, officers:...), "
            f"not {type(data).__name__}"
        )
    problems: list[tuple[str, str]] = []
    channels = _channels(data.get("channels"), problems)
    config: NotifyConfig | None = None
    try:
        config = NotifyConfig.model_validate({**data, "channels": channels})
    except ValidationError as exc:
        problems.extend(_located(exc.errors(), ()))
    if config is not None:
        config._base_dir = base_dir or Path.cwd()
        problems.extend(_cross_checks(config, data.get("channels")))
    if problems:
        lines = "\n".join(f"  {where}: {what}" for where, what in problems)
        raise NotifyConfigError(f"{source}: {len(problems)} error(s)\n{lines}")
    assert config is not None
    return config


def _channels(raw: Any, problems: list[tuple[str, str]]) -> dict[str, ChannelSettings]:
    """Each channel validated by the settings model of its ``type``."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(("channels", "expected a mapping of channel name: settings"))
        return {}
    types = channel_types()
    known = ", ".join(sorted(types))
    out: dict[str, ChannelSettings] = {}
    for name, entry in raw.items():
        where = f"channels.{name}"
        if not isinstance(entry, Mapping):
            problems.append((where, f"expected the channel's settings, with a type ({known})"))
            continue
        kind = entry.get("type")
        found = types.get(kind) if isinstance(kind, str) else None
        if found is None:
            problems.append((f"{where}.type", f"unknown channel type {kind!r}; known: {known}"))
            continue
        try:
            out[str(name)] = found.settings.model_validate(entry)
        except ValidationError as exc:
            problems.extend(_located(exc.errors(), ("channels", str(name))))
    return out


def _located(errors: Iterable[Any], prefix: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for error in errors:
        loc = ".".join(str(part) for part in (*prefix, *error["loc"])) or "(top level)"
        message = str(error["msg"])
        if error.get("type") == "extra_forbidden":
            message = "not a known setting (check its spelling, docs/notifications.md)"
        out.append((loc, message))
    return out


def _cross_checks(config: NotifyConfig, raw_channels: Any) -> list[tuple[str, str]]:
    """What each part is right alone but wrong together: names of channels that
    do not exist, repeated ids, a lease shorter than a send may take."""
    problems: list[tuple[str, str]] = []
    names = set(config.channels)
    for name in config.channels:
        if not _is_name(name):
            problems.append(
                (f"channels.{name}", "a channel name is lower-case letters, digits, - and _")
            )

    given = set(raw_channels) if isinstance(raw_channels, Mapping) else set()

    def check(where: str, wanted: Sequence[str], *, listed: bool = True) -> None:
        # A channel whose own settings are wrong was reported already.
        for i, name in enumerate(wanted):
            if name not in names and name not in given:
                shown = ", ".join(sorted(names | given)) or "none is defined"
                at = f"{where}.{i}" if listed else where
                problems.append((at, f"no channel {name!r} (channels: {shown})"))

    check("citizen.channels", config.citizen.channels)
    check("officer_channels", config.officer_channels)
    seen: set[str] = set()
    for i, officer in enumerate(config.officers):
        if officer.id in seen:
            problems.append((f"officers.{i}.id", f"officer {officer.id!r} is listed twice"))
        seen.add(officer.id)
        if officer.channels is not None:
            check(f"officers.{i}.channels", officer.channels)
    feeds: set[str] = set()
    for i, feed in enumerate(config.feeds):
        if feed.name in feeds:
            problems.append((f"feeds.{i}.name", f"feed {feed.name!r} is listed twice"))
        feeds.add(feed.name)
        check(f"feeds.{i}.channel", [feed.channel], listed=False)
    if config.channels:
        slowest_name, slowest = max(
            ((n, c.timeout_seconds) for n, c in config.channels.items()), key=lambda x: x[1]
        )
        if config.retry.lease_seconds < 3 * slowest:
            problems.append(
                (
                    "retry.lease_seconds",
                    f"{config.retry.lease_seconds:g} s is too short: a claim must outlast "
                    f"three sends on the slowest channel ({slowest_name}, timeout_seconds "
                    f"{slowest:g}); give at least {3 * slowest:g}",
                )
            )
    if config.templates is not None and not (config.templates_dir or Path()).is_dir():
        problems.append(("templates", f"no folder {config.templates_dir}"))
    return problems


def _is_name(name: str) -> bool:
    import re

    return re.fullmatch(_NAME, name) is not None
