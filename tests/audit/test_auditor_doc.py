"""The proof check docs/audit.md gives auditors, run as written on proofs
procflow made from a real SQLite file: it passes them, fails tampered ones,
and stays under 80 lines."""

from __future__ import annotations

import base64
import copy
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from procflow.audit.log import make_checkpoint
from procflow.audit.proof import prove, verify_bundle
from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.store.sqlite import SQLiteStore

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def doc_function() -> tuple[Any, int]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?def check_proof.*?)```", text, re.S)
    assert block is not None, "docs/audit.md lost its check_proof block"
    source = block.group(1)
    scope: dict[str, Any] = {}
    exec(compile(source, str(DOC), "exec"), scope)
    return scope["check_proof"], len(source.strip().splitlines())


def bundles(tmp_path: Path, key: Ed25519PrivateKey) -> list[dict[str, Any]]:
    store = SQLiteStore(tmp_path / "desk.db")
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    engine = Engine(
        store,
        Catalogue.from_paths([DOC.parents[1] / "procedures"]),
        WorkCalendar.vietnam(),
        clock,
    )
    desk = Actor("lan", "commune-pc", "desk-officer")
    codes = []
    for i in range(7):
        slip = engine.receive("vn.lien-thong.child-under-6", actor=desk, applicant={"i": i})
        clock.advance(timedelta(minutes=11))
        engine.fire(slip.code, "forward", desk)
        clock.advance(timedelta(minutes=11))
        codes.append(slip.code)
    make_checkpoint(store, "test", clock.now(), key, "test")
    engine.fire(codes[-1], "withdraw", desk)  # after the checkpoint: listed, not proved
    out = [prove(store, code) for code in codes]
    store.close()
    return out


def test_the_documented_check_is_short() -> None:
    assert doc_function()[1] < 80


def test_the_documented_check_passes_real_proofs_and_fails_tampered_ones(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    check, _ = doc_function()
    made = bundles(tmp_path, key)
    for bundle in made:
        assert check(bundle, key.public_key()) == []
        assert verify_bundle(bundle, key.public_key()) == []
    assert made[-1]["events"][-1]["proof"] is None

    edited = copy.deepcopy(made[2])
    raw = base64.b64decode(edited["events"][1]["body"]).replace(b"forward", b"fOrward")
    edited["events"][1]["body"] = base64.b64encode(raw).decode()
    assert check(edited, key.public_key())
    assert verify_bundle(edited, key.public_key())

    moved = copy.deepcopy(made[2])
    moved["events"][0]["position"] = made[3]["events"][0]["position"]
    assert check(moved, key.public_key())
    assert verify_bundle(moved, key.public_key())

    other = Ed25519PrivateKey.generate().public_key()
    assert check(made[0], other) == ["the checkpoint is not signed with this key"]
    assert verify_bundle(made[0], other)
