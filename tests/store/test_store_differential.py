"""Random sequences of store calls give the same answers on SQLite as on the
reference MemoryStore: the contract tests name the cases we thought of, this
looks for the ones we did not."""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from store_testdata import T0, advance, receive

from procflow.errors import ConflictError
from procflow.model.dossier import Dossier
from procflow.store import MemoryStore
from procflow.store.sqlite import SQLiteStore

CODES = st.sampled_from([f"HS-{i}" for i in range(5)])
PROCEDURES = st.sampled_from(["vn.khai-sinh", "vn.ket-hon"])
ALERT_HOURS = st.none() | st.integers(min_value=0, max_value=96)


class SameAnswers(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="procflow-diff-"))
        self.memory = MemoryStore()
        self.sqlite = SQLiteStore(self.dir / "store.db")
        self.received = 0
        self.seen: dict[str, list[Dossier]] = {}  # every state each dossier had

    def teardown(self) -> None:
        self.sqlite.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def both(self, call: str, *args: object) -> object:
        """Call both stores; they must both return the same or both conflict."""
        outcomes = []
        for store in (self.memory, self.sqlite):
            try:
                outcomes.append(("ok", getattr(store, call)(*args)))
            except ConflictError:
                outcomes.append(("conflict", None))
        assert outcomes[0] == outcomes[1], f"{call}{args}: {outcomes}"
        return outcomes[0][1]

    @rule(code=CODES, procedure=PROCEDURES, alert=ALERT_HOURS)
    def create(self, code: str, procedure: str, alert: int | None) -> None:
        # Receipt times only go forward, as they do at a desk.
        self.received += 1
        dossier, event = receive(
            code, at=T0 + timedelta(minutes=self.received), procedure_id=procedure
        )
        at = T0 + timedelta(hours=alert) if alert is not None else None
        self.both("create", dossier, event, at)
        self.seen.setdefault(code, [dossier])

    @rule(
        code=CODES,
        stale=st.integers(min_value=0, max_value=2),
        close=st.booleans(),
        alert=ALERT_HOURS,
    )
    def append(self, code: str, stale: int, close: bool, alert: int | None) -> None:
        history = self.seen.get(code)
        if not history:
            return
        # stale > 0 acts on an older state, as a slow second caller would.
        base = history[max(0, len(history) - 1 - stale)]
        after, event = advance(base, f"buoc-{base.version}", close=close)
        at = T0 + timedelta(hours=alert) if alert is not None and not close else None
        self.both("append", after, event, base.version, at)
        if base is history[-1] and history[-1].is_open:
            history.append(after)

    @rule(scope=st.sampled_from(["a", "b"]))
    def next_sequence(self, scope: str) -> None:
        self.both("next_sequence", scope)

    @invariant()
    def same_state(self) -> None:
        for open_only in (False, True):
            for procedure in (None, "vn.ket-hon"):
                listed = list(self.memory.codes(open_only=open_only, procedure_id=procedure))
                assert listed == list(
                    self.sqlite.codes(open_only=open_only, procedure_id=procedure)
                )
        for hours in (0, 24, 100):
            now = T0 + timedelta(hours=hours)
            assert self.memory.due_for_alert(now) == self.sqlite.due_for_alert(now)
        for code in self.seen:
            mem, sql = self.memory.get(code), self.sqlite.get(code)
            assert mem is not None and sql is not None
            assert mem.to_dict() == sql.to_dict()
            assert self.memory.events(code) == self.sqlite.events(code)


SameAnswers.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None, database=None
)
test_sqlite_answers_as_memory_does = SameAnswers.TestCase
