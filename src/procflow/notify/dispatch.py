"""The dispatcher: outbox items to deliveries, deliveries to channels, at least once.

One run of :func:`notify`:

1. **Fan out.** Claim outbox items (a lease per batch), plan each one's
   deliveries (:mod:`procflow.notify.plan`) and record them with the item
   marked done, in one transaction per item.
2. **Deliver.** Claim the deliveries that are due, send each on its channel,
   and record the outcome: ``sent`` (in the one statement that also checks
   this worker still holds the claim), or a failed attempt: pending again
   after an exponential backoff, or dead after ``retry.max_attempts``
   attempts, or at once when the channel says trying again cannot help.

Several dispatchers may run at once on one database (cron on two machines,
threads): claims hand each item and delivery to one of them. A dispatcher
never starts a send whose claim could run out before the send's timeout
(it leaves the rest of its batch to be claimed again), so no two send under
the same key. Only a crash between a send and its record can repeat one, and
then under the same idempotency key, which channels pass on for the
receiver to drop.
"""

from __future__ import annotations

import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from procflow.catalogue import Catalogue
from procflow.model.outbox import Delivery, OutboxItem
from procflow.model.storage import Capability, Store
from procflow.notify.channels import Channel, channel_types
from procflow.notify.config import NotifyConfig
from procflow.notify.errors import DeliveryError, NotifyError
from procflow.notify.message import Message
from procflow.notify.plan import Planner
from procflow.notify.render import Templates

MAX_BATCHES = 1000
"""Batches of each phase in one run at most: a run ends even if the outbox
keeps filling while it works."""


@dataclass
class NotifyRun:
    """What one run did."""

    worker: str
    fanned_out: int = 0
    """Outbox items turned into deliveries."""
    planned: int = 0
    """Deliveries recorded (new keys)."""
    unreachable: int = 0
    """Recipient and channel pairs skipped for want of an address."""
    sent: int = 0
    retried: int = 0
    """Failed attempts that will be tried again."""
    dead: int = 0
    """Deliveries given up in this run."""
    lost: int = 0
    """Sends whose claim another worker had taken over (recorded by that one)."""
    deferred: int = 0
    """Claimed deliveries left for a later run: the claim was too close to its end."""
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "fanned_out": self.fanned_out,
            "planned": self.planned,
            "unreachable": self.unreachable,
            "sent": self.sent,
            "retried": self.retried,
            "dead": self.dead,
            "lost": self.lost,
            "deferred": self.deferred,
            "errors": list(self.errors),
        }


def worker_name() -> str:
    """A name no other dispatcher has: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def open_channels(config: NotifyConfig) -> dict[str, Channel]:
    """The configured channels, built (a missing secret fails here, before any claim)."""
    types = channel_types()
    built: dict[str, Channel] = {}
    try:
        for name, settings in config.channels.items():
            built[name] = types[settings.type].factory(name, settings, config.base_dir)
    except BaseException:
        for channel in built.values():
            channel.close()
        raise
    return built


def notify(
    store: Store,
    config: NotifyConfig,
    *,
    catalogue: Catalogue | None = None,
    now: datetime | Callable[[], datetime] | None = None,
    worker: str | None = None,
    channels: dict[str, Channel] | None = None,
    rng: random.Random | None = None,
) -> NotifyRun:
    """Fan out the outbox and deliver what is due, once (see the module).

    ``now`` is the instant the run acts at (a datetime, or a callable read at
    each step; default: the wall clock): claims, leases and backoff are
    reckoned from it. ``catalogue`` gives the notices their procedure, agency
    and step names (ids otherwise). ``channels`` are built from ``config``
    when not given (and closed at the end).
    """
    if Capability.OUTBOX not in store.capabilities:
        raise NotifyError(
            f"{type(store).__name__} keeps no outbox, so there is nothing to notify from it; "
            "use an SQLite, PostgreSQL or in-memory store"
        )
    clock = _clock(now)
    run = NotifyRun(worker or worker_name())
    own = channels is None
    opened = open_channels(config) if channels is None else channels
    try:
        planner = Planner(store, config, Templates(config.templates_dir), catalogue)
        _fan_out(store, config, planner, clock, run)
        _deliver(store, config, planner, opened, clock, run, rng or random.Random())
    finally:
        if own:
            for channel in opened.values():
                channel.close()
    return run


def _clock(now: datetime | Callable[[], datetime] | None) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(UTC)
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            raise NotifyError(f"{now.isoformat()} has no time zone; give an aware instant")
        return lambda: now
    return now


def _fan_out(
    store: Store,
    config: NotifyConfig,
    planner: Planner,
    clock: Callable[[], datetime],
    run: NotifyRun,
) -> None:
    retry = config.retry
    lease = timedelta(seconds=retry.lease_seconds)
    for _ in range(MAX_BATCHES):
        items = store.outbox_claim(clock(), worker=run.worker, lease=lease, limit=retry.batch)
        for item in items:
            _fan_out_one(store, planner, item, clock, run)
        if len(items) < retry.batch:
            return


def _fan_out_one(
    store: Store, planner: Planner, item: OutboxItem, clock: Callable[[], datetime], run: NotifyRun
) -> None:
    plan = planner.plan(item)
    run.planned += store.outbox_fan_out(item, plan.deliveries, clock())
    run.unreachable += plan.unreachable
    run.fanned_out += 1


def _deliver(
    store: Store,
    config: NotifyConfig,
    planner: Planner,
    channels: dict[str, Channel],
    clock: Callable[[], datetime],
    run: NotifyRun,
    rng: random.Random,
) -> None:
    retry = config.retry
    lease = timedelta(seconds=retry.lease_seconds)
    for _ in range(MAX_BATCHES):
        claimed_at = time.monotonic()
        batch = store.delivery_claim(clock(), worker=run.worker, lease=lease, limit=retry.batch)
        for delivery in batch:
            settings = config.channels.get(delivery.channel)
            timeout = settings.timeout_seconds if settings is not None else 0.0
            # Start a send only if it ends, timeout included, well inside the
            # claim: otherwise another worker could take it over and send too.
            if time.monotonic() - claimed_at + 2 * timeout >= retry.lease_seconds:
                run.deferred += 1
                continue
            _deliver_one(store, config, planner, channels, delivery, clock, run, rng)
        if len(batch) < retry.batch:
            return


def _deliver_one(
    store: Store,
    config: NotifyConfig,
    planner: Planner,
    channels: dict[str, Channel],
    delivery: Delivery,
    clock: Callable[[], datetime],
    run: NotifyRun,
    rng: random.Random,
) -> None:
    channel = channels.get(delivery.channel)
    try:
        if channel is None:
            raise DeliveryError(
                f"channel {delivery.channel!r} is no longer in the configuration; add it back "
                "(the delivery waits for it)"
            )
        channel.send(_message(planner, delivery))
    except DeliveryError as exc:
        attempts = delivery.attempts + 1
        final = exc.permanent or attempts >= config.retry.max_attempts
        now = clock()
        retry_at = None if final else now + config.retry.delay(attempts, rng)
        error = str(exc)
        if store.delivery_failed(
            delivery.key, worker=run.worker, now=now, error=error, retry_at=retry_at
        ):
            if final:
                run.dead += 1
            else:
                run.retried += 1
            run.errors.append(f"{delivery.key}: {error}")
        else:
            run.lost += 1
        return
    if store.delivery_sent(delivery.key, worker=run.worker, now=clock()):
        run.sent += 1
    else:
        run.lost += 1


def _message(planner: Planner, delivery: Delivery) -> Message:
    """The delivery's message as planned, or rendered again when planning
    could not render it (a dead delivery requeued after its template was mended)."""
    kept = orjson.loads(delivery.message)
    if "text" in kept:
        return Message.of_delivery(delivery)
    again = planner.replan(delivery)
    if again is None:
        raise DeliveryError(
            f"the message of {delivery.key} cannot be rendered: {kept.get('error')}",
            permanent=True,
        )
    return again
