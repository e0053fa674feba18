"""A pause records its legal reason (issue 19, item 2): the land transfer of the
library, paused only while the applicant pays the taxes, is not a supplement
request; its events, its state and the report say which reason stopped the
clock, and for how long.

The scenario procedures/land/tests/transfer-2024-tax-payment.yaml: received
Fri 30 Aug 2024, the applicant is asked to pay on the 5th working day after
the hand-off and pays five working days later: 5 x 7.5 = 37.5 working hours
paused, all of them for financial obligations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from procflow.engine import Engine
from procflow.reports import build_report
from procflow.testing import runner as runner_module

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "procedures" / "land" / "tests" / "transfer-2024-tax-payment.yaml"


@pytest.fixture
def land(monkeypatch: pytest.MonkeyPatch) -> Engine:
    engines: list[Engine] = []

    class Recording(runner_module.Engine):  # type: ignore[misc, name-defined]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            engines.append(self)

    monkeypatch.setattr(runner_module, "Engine", Recording)
    result = runner_module.ScenarioRunner(procedures=[ROOT / "procedures"]).run_file(SCENARIO)
    assert result.status.value == "passed", result
    return engines[-1]


def test_a_payment_pause_is_not_a_supplement(land: Engine) -> None:
    (code,) = list(land.store.codes())
    dossier = land.get(code)
    assert dossier.supplements == 0
    assert dossier.pauses == {"financial_obligations": {"count": 1, "seconds": 37.5 * 3600}}
    paused = [e for e in land.history(code) if e.type.value == "paused"]
    assert len(paused) == 1
    assert paused[0].data["pause_reason"] == "financial_obligations"
    assert "supplement" not in paused[0].data
    assert land.replay(code).pauses == dossier.pauses
    assert land.verify().ok


def test_the_report_counts_and_sums_each_reason(land: Engine) -> None:
    totals = build_report(land.store, calendar=land.calendar).to_dict()["rates"]["total"]
    assert totals["supplemented"] == 0
    assert totals["pauses"] == {"financial_obligations": {"count": 1, "hours": 37.5}}


def test_a_supplement_request_still_counts_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    engines: list[Engine] = []

    class Recording(runner_module.Engine):  # type: ignore[misc, name-defined]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            engines.append(self)

    monkeypatch.setattr(runner_module, "Engine", Recording)
    path = ROOT / "procedures" / "civil-status" / "tests" / "birth-after-cutoff-tet.yaml"
    runner_module.ScenarioRunner(procedures=[ROOT / "procedures"]).run_file(path)
    engine = engines[-1]
    for code in engine.store.codes():
        d = engine.get(code)
        assert d.pauses.get("supplement", {}).get("count", 0) == d.supplements
