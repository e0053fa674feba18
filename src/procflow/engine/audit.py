"""Audit: rebuild a dossier from its log, and check every hash chain and that
replay equals the stored state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from procflow.engine.core import EngineCore
from procflow.errors import TamperDetected
from procflow.model.dossier import Dossier
from procflow.model.encoding import event_body
from procflow.model.events import verify_chain
from procflow.model.record import Record
from procflow.model.reducer import replay, replay_record


@dataclass
class VerifyReport:
    """What ``verify`` found: chain problems and replay mismatches, per dossier."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "ok": self.ok, "problems": self.problems}


class Audit(EngineCore):
    """Replay and verify."""

    def replay(self, code: str) -> Dossier:
        """Rebuild the dossier from its event log alone."""
        return replay(self.history(code), self._tz)

    def bodies(self, code: str) -> list[tuple[bytes, str]]:
        """The dossier's log as an auditor checks it: each event's format-2 body
        and the hash stored with it (hex), oldest first.

        ``SHA-256(previous hash || body)`` must give each hash, from 32 zero
        bytes (docs/engine.md, "Event encoding"); events written before
        format 2 are not included (they verify in their own form, ``verify``).
        """
        return [
            (event_body(e.code, e.seq, e.type.value, e.at, e.actor, e.data), e.hash)
            for e in self.store.events(code)
            if e.format == 2
        ]

    def verify(
        self,
        codes: Iterable[str] | None = None,
        check: Callable[[Record], list[str]] | None = None,
    ) -> VerifyReport:
        """Check every dossier's hash chain, and that replay equals the stored state.

        ``check`` is given each replayed record and returns more problems
        (``procflow verify`` checks the SQL row's columns with it:
        :func:`procflow.audit.log.check_row`).
        """
        report = VerifyReport()
        for code in codes if codes is not None else self.store.codes():
            report.checked += 1
            try:
                events = self.store.events(code)
            except TamperDetected as exc:  # a row that does not hold its hashed event
                report.problems.append(f"{code}: {exc}")
                continue
            problems = verify_chain(code, events)
            report.problems.extend(str(p) for p in problems)
            stored = self.store.get(code)
            if stored is None:
                report.problems.append(f"{code}: events without a dossier row")
                continue
            if not events:
                report.problems.append(f"{code}: dossier row without events")
                continue
            if stored.version != events[-1].seq or stored.last_hash != events[-1].hash:
                report.problems.append(
                    f"{code}: stored state is at version {stored.version} but the log ends at "
                    f"event {events[-1].seq} (an event was removed or the state edited)"
                )
            try:
                record = replay_record(events, self._tz)
                rebuilt = record.to_dossier()
            except Exception as exc:  # a broken log must be reported, not crash verify
                report.problems.append(f"{code}: replay failed: {exc}")
                continue
            if check is not None:
                report.problems.extend(check(record))
            replayed, kept = rebuilt.to_dict(), stored.to_dict()
            if stored.updated_at is None:  # stored by a procflow that did not keep it
                replayed["updated_at"] = None
            if replayed != kept:
                diff = sorted(k for k, v in replayed.items() if kept.get(k) != v)
                report.problems.append(
                    f"{code}: stored state differs from the replayed log in {', '.join(diff)}"
                )
        return report
