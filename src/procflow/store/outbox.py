"""The outbox in every built-in store: the rows, the shared SQL, and the in-memory form.

What the outbox is for, and which events enter it, is told in
:mod:`procflow.model.outbox`. Here is how the stores keep it:

* **Written with its event.** The SQL stores add the outbox row inside the
  transaction (PostgreSQL: the statement) that writes the event, from the
  event row (:func:`outbox_params`); the in-memory store right after the
  event is appended, in the same call. Bulk imports (``create_many``,
  ``import_dossiers``: the simulator's results, a move between databases)
  write none [design]: those events happened elsewhere, and their
  applicants must not be told again.
* **Claimed by one dispatcher at a time.** A claim writes the worker's name
  and a lease end on the row (PostgreSQL: ``FOR UPDATE SKIP LOCKED``;
  SQLite: inside one ``BEGIN IMMEDIATE`` transaction, which serialises the
  claimers). Another worker skips a row while its lease runs; a worker that
  died leaves a lease that ends, and the row is claimed again.
* **Done once.** A delivery becomes ``sent`` in one statement that also
  checks the worker still holds its claim, so a worker whose lease ran out
  cannot record over another's. The key (``code:seq:channel:recipient``) is
  the primary key: fanning an item out twice adds nothing.

:class:`SQLOutbox` holds what SQLite and PostgreSQL do alike (the store
provides its claims and :meth:`SQLOutbox._writes`); :class:`MemoryOutbox`
is the same contract on Python objects.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from procflow.errors import StoreError
from procflow.model.outbox import (
    MOVES,
    NOTIFYING_TYPES,
    RESULT_STEPS,
    Delivery,
    DeliveryStatus,
    NewDelivery,
    OutboxItem,
    enters_outbox,
)
from procflow.store.schema import utc_key

DELIVERY_COLUMNS = (
    "key",
    "code",
    "seq",
    "channel",
    "recipient",
    "address",
    "message",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "sent_at",
    "created_at",
)
OUTBOX_COLUMNS = ("code", "seq", "type", "at", "done_at")

_RESULT_MARKS = tuple(f'"{step}"' for step in RESULT_STEPS)


def outbox_params(
    erow: Sequence[Any], *, notifies: bool | None = None
) -> tuple[str, int, str, str] | None:
    """The outbox row (code, seq, type, at) of an ``events`` row, or None
    when the event notifies nobody.

    ``notifies``: the writer has decided (:func:`~procflow.model.outbox.entry_notifies`
    on the engine's entry, whose typed payload says where a move goes). When
    it has not (an event written in its public form), the rule is applied to
    the row: its data is parsed only when a result step's id appears in it.
    """
    type_ = erow[2]
    if notifies is None:
        notifies = type_ in NOTIFYING_TYPES or (
            type_ in MOVES
            and any(mark in erow[5] for mark in _RESULT_MARKS)
            and enters_outbox(type_, orjson.loads(erow[5]).get("to"))
        )
    if not notifies:
        return None
    return (erow[0], int(erow[1]), str(type_), utc_key(datetime.fromisoformat(erow[3])))


def _dt(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _dt_or_none(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def delivery_from_row(row: Sequence[Any]) -> Delivery:
    key, code, seq, channel, recipient, address, message, status = row[:8]
    attempts, next_at, error, sent_at, created_at = row[8:13]
    return Delivery(
        key=str(key),
        code=str(code),
        seq=int(seq),
        channel=str(channel),
        recipient=str(recipient),
        address=str(address),
        message=str(message),
        status=DeliveryStatus(status),
        attempts=int(attempts),
        next_attempt_at=_dt(next_at),
        last_error=None if error is None else str(error),
        sent_at=_dt_or_none(sent_at),
        created_at=_dt(created_at),
    )


def outbox_from_row(row: Sequence[Any]) -> OutboxItem:
    code, seq, type_, at = row[:4]
    done = len(row) > 4 and row[4] is not None
    return OutboxItem(str(code), int(seq), str(type_), _dt(at), done)


Statement = tuple[str, Sequence[object]]


class SQLOutbox:
    """The outbox calls SQLite and PostgreSQL answer alike (a mixin of the SQL stores).

    The store provides :attr:`_P`, :meth:`_read`, :meth:`_writes` (statements
    in one transaction, their row counts back) and its two claims.
    """

    _P: str

    def _read(self, what: str, sql: Any, params: Sequence[object] = ()) -> list[Any]:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def _writes(self, what: str, statements: Sequence[Statement]) -> list[int]:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def _insert_delivery_sql(self) -> str:
        p = self._P
        return (
            f"INSERT INTO deliveries ({', '.join(DELIVERY_COLUMNS)}) "
            f"VALUES ({', '.join(p for _ in DELIVERY_COLUMNS)}) ON CONFLICT (key) DO NOTHING"
        )

    def outbox_fan_out(
        self, item: OutboxItem, deliveries: Sequence[NewDelivery], now: datetime
    ) -> int:
        """Record the deliveries and mark the item fanned out, in one transaction.

        A key already recorded (another dispatcher fanned the same item out
        after this one's lease ran out) is left as it is: at most one row,
        hence at most one ``sent``, per key."""
        p = self._P
        at = utc_key(now)
        insert = self._insert_delivery_sql()
        statements: list[Statement] = [
            (
                insert,
                (
                    d.key,
                    item.code,
                    item.seq,
                    d.channel,
                    d.recipient,
                    d.address,
                    d.message,
                    d.status.value,
                    0,
                    at,
                    d.last_error,
                    None,
                    at,
                ),
            )
            for d in deliveries
        ]
        statements.append(
            (
                f"UPDATE outbox SET done_at = {p}, claimed_by = NULL, claimed_until = NULL "
                f"WHERE code = {p} AND seq = {p} AND done_at IS NULL",
                (at, item.code, item.seq),
            )
        )
        counts = self._writes(f"fan out {item.code} event {item.seq}", statements)
        return sum(counts[:-1])

    def outbox_items(self, *, done: bool | None = None, limit: int = 1000) -> list[OutboxItem]:
        where = "" if done is None else f" WHERE done_at IS {'NOT ' if done else ''}NULL"
        rows = self._read(
            "read the outbox",
            f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM outbox{where} "
            f"ORDER BY at, code, seq LIMIT {int(limit)}",
        )
        return [outbox_from_row(r) for r in rows]

    def delivery_sent(self, key: str, *, worker: str, now: datetime) -> bool:
        p = self._P
        counts = self._writes(
            f"record delivery {key} as sent",
            [
                (
                    f"UPDATE deliveries SET status = 'sent', sent_at = {p}, "
                    "attempts = attempts + 1, last_error = NULL, claimed_by = NULL, "
                    f"claimed_until = NULL WHERE key = {p} AND claimed_by = {p} "
                    "AND status = 'pending'",
                    (utc_key(now), key, worker),
                )
            ],
        )
        return counts[0] == 1

    def delivery_failed(
        self, key: str, *, worker: str, now: datetime, error: str, retry_at: datetime | None
    ) -> bool:
        p = self._P
        status = DeliveryStatus.PENDING if retry_at is not None else DeliveryStatus.DEAD
        counts = self._writes(
            f"record a failed attempt of delivery {key}",
            [
                (
                    f"UPDATE deliveries SET status = {p}, attempts = attempts + 1, "
                    f"last_error = {p}, next_attempt_at = {p}, claimed_by = NULL, "
                    f"claimed_until = NULL WHERE key = {p} AND claimed_by = {p} "
                    "AND status = 'pending'",
                    (status.value, error, utc_key(retry_at or now), key, worker),
                )
            ],
        )
        return counts[0] == 1

    def deliveries(
        self,
        *,
        status: DeliveryStatus | None = None,
        code: str | None = None,
        recipient: str | None = None,
        limit: int = 1000,
        newest_first: bool = False,
    ) -> list[Delivery]:
        p = self._P
        filters: list[str] = []
        params: list[object] = []
        if status is not None:
            filters.append(f"status = {p}")
            params.append(DeliveryStatus(status).value)
        if code is not None:
            filters.append(f"code = {p}")
            params.append(code)
        if recipient is not None:
            filters.append(f"recipient = {p}")
            params.append(recipient)
        where = f" WHERE {' AND '.join(filters)}" if filters else ""
        order = "created_at DESC, code, seq, key" if newest_first else "code, seq, key"
        rows = self._read(
            "read the deliveries",
            f"SELECT {', '.join(DELIVERY_COLUMNS)} FROM deliveries{where} "
            f"ORDER BY {order} LIMIT {int(limit)}",
            params,
        )
        return [delivery_from_row(r) for r in rows]

    def delivery_requeue(self, now: datetime, *, keys: Sequence[str] | None = None) -> int:
        p = self._P
        sql = (
            f"UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = {p}, "
            "claimed_by = NULL, claimed_until = NULL WHERE status = 'dead'"
        )
        at = utc_key(now)
        if keys is None:
            statements: list[Statement] = [(sql, (at,))]
        else:
            statements = [(f"{sql} AND key = {p}", (at, key)) for key in keys]
        return sum(self._writes("requeue dead deliveries", statements))


def lease_end(now: datetime, lease: timedelta) -> str:
    if lease <= timedelta(0):
        raise StoreError(f"a claim's lease must be positive, not {lease}")
    return utc_key(now + lease)


# --- in memory ------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    """A delivery as the in-memory outbox keeps it (changed in place)."""

    code: str
    seq: int
    new: NewDelivery
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    claimed_by: str | None = None
    claimed_until: datetime | None = None

    def public(self) -> Delivery:
        d = self.new
        return Delivery(
            d.key,
            self.code,
            self.seq,
            d.channel,
            d.recipient,
            d.address,
            d.message,
            self.status,
            self.attempts,
            self.next_attempt_at,
            self.last_error,
            self.sent_at,
            self.created_at,
        )

    def free(self, now: datetime) -> bool:
        return self.claimed_until is None or self.claimed_until < now


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise StoreError(f"{now.isoformat()} has no time zone; the outbox needs aware instants")
    return now.astimezone(UTC)


class MemoryOutbox:
    """The outbox of an in-memory store: the same contract as :class:`SQLOutbox`.

    A lock makes each call one atomic step, so dispatcher threads sharing
    the store claim each item and delivery once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (code, seq) -> [type, at (POSIX seconds), done, claimed_by, claimed_until]
        self._items: dict[tuple[str, int], list[Any]] = {}
        self._rows: dict[str, _Row] = {}

    def add(self, code: str, seq: int, type_: str, at: float) -> None:
        with self._lock:
            self._items[(code, seq)] = [type_, at, False, None, None]

    def claim_items(
        self, now: datetime, worker: str, lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        now = _aware(now)
        lease_end(now, lease)
        with self._lock:
            free = [
                (v[1], k)
                for k, v in self._items.items()
                if not v[2] and (v[4] is None or v[4] < now)
            ]
            free.sort()
            out: list[OutboxItem] = []
            for at, (code, seq) in free[:limit]:
                item = self._items[(code, seq)]
                item[3], item[4] = worker, now + lease
                out.append(OutboxItem(code, seq, item[0], datetime.fromtimestamp(at, UTC)))
            return out

    def fan_out(self, item: OutboxItem, deliveries: Sequence[NewDelivery], now: datetime) -> int:
        now = _aware(now)
        added = 0
        with self._lock:
            for d in deliveries:
                if d.key in self._rows:
                    continue
                self._rows[d.key] = _Row(
                    item.code, item.seq, d, d.status, 0, now, d.last_error, None, now
                )
                added += 1
            stored = self._items.get((item.code, item.seq))
            if stored is not None:
                stored[2], stored[3], stored[4] = True, None, None
        return added

    def items(self, done: bool | None, limit: int) -> list[OutboxItem]:
        with self._lock:
            found = sorted(
                (v[1], k, v[0], v[2])
                for k, v in self._items.items()
                if done is None or v[2] == done
            )
        return [
            OutboxItem(code, seq, type_, datetime.fromtimestamp(at, UTC), is_done)
            for at, (code, seq), type_, is_done in found[:limit]
        ]

    def claim_deliveries(
        self, now: datetime, worker: str, lease: timedelta, limit: int
    ) -> list[Delivery]:
        now = _aware(now)
        lease_end(now, lease)
        with self._lock:
            due = sorted(
                (row.next_attempt_at, key)
                for key, row in self._rows.items()
                if row.status is DeliveryStatus.PENDING
                and row.next_attempt_at <= now
                and row.free(now)
            )
            out = []
            for _, key in due[:limit]:
                row = self._rows[key]
                row.claimed_by, row.claimed_until = worker, now + lease
                out.append(row.public())
            return out

    def _held(self, key: str, worker: str) -> _Row | None:
        row = self._rows.get(key)
        if row is None or row.claimed_by != worker or row.status is not DeliveryStatus.PENDING:
            return None
        return row

    def sent(self, key: str, worker: str, now: datetime) -> bool:
        now = _aware(now)
        with self._lock:
            row = self._held(key, worker)
            if row is None:
                return False
            row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, None
            row.attempts += 1
            row.claimed_by = row.claimed_until = None
            return True

    def failed(
        self, key: str, worker: str, now: datetime, error: str, retry_at: datetime | None
    ) -> bool:
        now = _aware(now)
        with self._lock:
            row = self._held(key, worker)
            if row is None:
                return False
            row.attempts += 1
            row.last_error = error
            if retry_at is None:
                row.status = DeliveryStatus.DEAD
            else:
                row.next_attempt_at = _aware(retry_at)
            row.claimed_by = row.claimed_until = None
            return True

    def list(
        self,
        status: DeliveryStatus | None,
        code: str | None,
        limit: int,
        recipient: str | None = None,
        newest_first: bool = False,
    ) -> list[Delivery]:
        with self._lock:
            found = [
                r.public()
                for r in self._rows.values()
                if (status is None or r.status is status)
                and (code is None or r.code == code)
                and (recipient is None or r.new.recipient == recipient)
            ]
        found.sort(key=lambda d: (d.code, d.seq, d.key))
        if newest_first:  # stable: (code, seq, key) within one instant
            found.sort(key=lambda d: d.created_at, reverse=True)
        return found[:limit]

    def requeue(self, now: datetime, keys: Sequence[str] | None) -> int:
        now = _aware(now)
        wanted = None if keys is None else set(keys)
        done = 0
        with self._lock:
            for key, row in self._rows.items():
                if row.status is DeliveryStatus.DEAD and (wanted is None or key in wanted):
                    row.status, row.attempts, row.next_attempt_at = DeliveryStatus.PENDING, 0, now
                    row.claimed_by = row.claimed_until = None
                    done += 1
        return done
