"""The database's log as an auditor checks it: its tree head, checkpoints of
it, and what ``procflow verify`` finds wrong with it.

The stores write each event's place in the log in the same transaction as
the event (``Capability.LOG``: SQLite and PostgreSQL). Here:

* :func:`make_checkpoint` computes the head of the log as it is and signs it;
* :func:`check_log` finds what a plain ``verify`` can see without any
  checkpoint: positions with gaps, log entries whose event is gone or
  changed, events the log never took, dossier rows without events and events
  without a row, and gaps in a desk's daily numbering (a deleted dossier);
* :func:`check_against` proves the database still holds every event a
  checkpoint covered: the head of its first ``size`` events, recomputed from
  the database alone, must be the checkpoint's root. A deleted dossier, a
  truncated tail, a database put back to an earlier copy or a rewritten
  history all change it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from procflow.audit.checkpoint import Checkpoint, CheckpointError
from procflow.audit.merkle import Tree, root_of
from procflow.errors import StoreError
from procflow.model.record import Record
from procflow.model.storage import Capability, Store

_BATCH = 65536


class StoreLeaves:
    """The log's leaf hashes, read from a store (:class:`procflow.audit.merkle.LeafSource`)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def leaves(self, start: int, end: int) -> list[bytes]:
        hashes = self.store.log_hashes(start, end)
        if len(hashes) != end - start:
            raise StoreError(
                f"the log has gaps between positions {start} and {end - 1}: "
                "entries were deleted (procflow verify lists them)"
            )
        sha, fromhex = hashlib.sha256, bytes.fromhex
        return [sha(b"\x00" + fromhex(h)).digest() for h in hashes]


def require_log(store: Store) -> Any:
    if Capability.LOG not in store.capabilities:
        raise StoreError(
            "this store keeps no global log: checkpoints and proofs need an SQLite or "
            "PostgreSQL database"
        )
    return store


def tree(store: Store) -> Tree:
    """The log's tree, with the nodes the store remembers."""
    s = require_log(store)
    return Tree(StoreLeaves(s), s.log_size(), s.log_nodes())


def make_checkpoint(
    store: Store,
    origin: str,
    now: datetime,
    key: Ed25519PrivateKey | None = None,
    key_name: str = "procflow",
) -> Checkpoint:
    """The checkpoint of the log as it is now (signed with ``key`` if given),
    kept in the database as well; the subtree roots computed on the way are
    remembered for later proofs."""
    s = require_log(store)
    top, count = s.log_extent()
    if top != count:
        raise StoreError(
            f"the log has gaps ({count} entries up to position {top - 1}): run procflow "
            "verify; no checkpoint is given for a damaged log"
        )
    t = tree(store)
    known = dict(t.nodes)
    root = t.root()
    cp = Checkpoint(origin, top, root, now.isoformat(timespec="seconds"))
    if key is not None:
        cp = cp.signed(key, key_name)
    new = {k: v for k, v in t.nodes.items() if k not in known}
    if new:
        s.save_log_nodes(new)
    s.save_checkpoint(cp.size, cp.time, cp.text())
    return cp


def check_against(
    store: Store, cp: Checkpoint, key: Ed25519PublicKey | None = None, where: str = "checkpoint"
) -> list[str]:
    """What the database lost or changed of what ``cp`` covered (empty: nothing)."""
    problems: list[str] = []
    if key is not None:
        try:
            cp.verify(key)
        except CheckpointError as exc:
            return [f"{where}: {exc}"]
    s = require_log(store)
    top = s.log_size()
    if top < cp.size:
        return [
            f"{where}: the database holds {top} logged event(s), the checkpoint of {cp.time} "
            f"covered {cp.size}: {cp.size - top} were removed (a truncated file, or a copy "
            "from before the checkpoint put back)"
        ]
    # From the leaves alone: the remembered nodes are not evidence.
    leaves = StoreLeaves(s)
    hashes: list[bytes] = []
    for start in range(0, cp.size, _BATCH):
        try:
            hashes.extend(leaves.leaves(start, min(start + _BATCH, cp.size)))
        except StoreError as exc:
            return [f"{where}: {exc}"]
    if root_of(hashes) != cp.root:
        problems.append(
            f"{where}: the first {cp.size} logged events are not the ones the checkpoint of "
            f"{cp.time} covered: events were deleted, changed or put in another order "
            "(the history was rewritten)"
        )
    return problems


_NUMBERED = re.compile(r"^(?P<scope>.+-\d{6})-(?P<n>\d+)$")
"""A numbered dossier code: its scope (agency code and date, YYMMDD) and its
sequence number, of any width (``Engine(sequence_digits=...)``)."""


def check_log(store: Store, codes: Iterable[str]) -> list[str]:
    """What a plain ``verify`` finds wrong with the log (see the module);
    ``codes`` are the dossier rows' codes."""
    s = require_log(store)
    problems: list[str] = []
    top, count = s.log_extent()
    if top != count:
        problems.append(
            f"the log has {top - count} missing position(s) below {top}: entries were deleted"
        )
    problems.extend(s.log_problems())
    rows = set(codes)
    logged = set(s.event_codes())
    for code in sorted(logged - rows):
        problems.append(f"{code}: events without a dossier row (the row was deleted)")
    numbers: dict[str, set[int]] = {}
    width = 5
    for code in rows | logged:
        m = _NUMBERED.match(code)
        if m:
            numbers.setdefault(m["scope"], set()).add(int(m["n"]))
            width = len(m["n"])
    for scope, last in sorted(s.sequences().items()):
        have = numbers.get(scope, set())
        missing = [n for n in range(1, last + 1) if n not in have]
        if missing:
            shown = ", ".join(f"{scope}-{n:0{width}d}" for n in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            problems.append(
                f"numbering {scope} reached {last} but {shown}{more} is not in the database "
                "(a dossier was deleted)"
            )
    return problems


def _logged_columns() -> tuple[str, ...]:
    """The row columns a dossier's log decides: all but the code (the key),
    the sweep's own schedule (next_alert_at) and the body (``verify``
    compares the whole stored state already)."""
    from procflow.store.records import DOSSIER_COLUMNS

    return tuple(c for c in DOSSIER_COLUMNS if c not in ("code", "next_alert_at", "body"))


def check_row(store: Store, record: Record) -> list[str]:
    """Columns of the dossier's row (those reports filter on) that differ
    from its replayed log: an edit made outside the log."""
    from procflow.store.records import DOSSIER_COLUMNS, record_row

    stored = require_log(store).dossier_columns(record.code)
    if stored is None:
        return []
    want = dict(zip(DOSSIER_COLUMNS, record_row(record, None), strict=True))
    wrong = [c for c in _logged_columns() if str(stored[c]) != str(want[c])]
    if not wrong:
        return []
    shown = "; ".join(f"{c} is {stored[c]!r}, the log says {want[c]!r}" for c in wrong)
    return [f"{record.code}: the row was edited outside the log: {shown}"]
