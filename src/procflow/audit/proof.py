"""Proofs a citizen or an inspector checks offline: a dossier's events, each
with its place in the log and an inclusion proof against a checkpoint.

:func:`prove` builds the bundle (JSON); :func:`verify_bundle` checks one with
nothing but the bundle and the public key: the checkpoint's signature, each
event's hash from its bytes and the hash before it, and each event's path to
the checkpoint's root (RFC 9162). docs/audit.md has the same check as one
function of under 80 lines, for auditors who rewrite it in another language.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from procflow.audit.checkpoint import Checkpoint, CheckpointError, parse
from procflow.audit.log import require_log, tree
from procflow.audit.merkle import leaf_hash, verify_inclusion
from procflow.errors import DossierNotFound, StoreError
from procflow.model.encoding import event_body
from procflow.model.events import GENESIS, canonical
from procflow.model.storage import Store


def latest_checkpoint(store: Store) -> Checkpoint:
    texts = require_log(store).checkpoints()
    if not texts:
        raise StoreError(
            "the database has given no checkpoint yet: make one with procflow checkpoint DB"
        )
    return parse(texts[-1], "the latest checkpoint")


def prove(store: Store, code: str, cp: Checkpoint | None = None) -> dict[str, Any]:
    """The proof bundle of dossier ``code`` against ``cp`` (default: the
    database's latest checkpoint). Events logged after the checkpoint are
    listed without a proof (``"proof": null``): a later checkpoint covers them."""
    s = require_log(store)
    cp = cp or latest_checkpoint(store)
    events = s.events(code)
    if not events:
        raise DossierNotFound(f"no dossier with code {code!r}")
    positions = s.log_positions(code)
    t = tree(store)
    out = []
    for e in events:
        if e.format == 1:
            actor = e.actor.to_dict() if e.actor else None
            raw = canonical(e.code, e.seq, e.type, e.at, actor, e.data)
        else:
            raw = event_body(e.code, e.seq, e.type.value, e.at, e.actor, e.data)
        pos = positions.get(e.seq)
        proof = None
        if pos is not None and pos < cp.size:
            proof = [h.hex() for h in t.inclusion_proof(pos, cp.size)]
        out.append(
            {
                "seq": e.seq,
                "format": e.format,
                "position": pos,
                "body": base64.b64encode(raw).decode(),
                "hash": e.hash,
                "proof": proof,
            }
        )
    return {"checkpoint": cp.text(), "code": code, "events": out}


def verify_bundle(bundle: dict[str, Any], key: Ed25519PublicKey | None = None) -> list[str]:
    """What is wrong with a proof bundle (empty: every event is proved)."""
    try:
        cp = parse(bundle["checkpoint"], "the bundle's checkpoint")
        if key is not None:
            cp.verify(key)
    except (CheckpointError, KeyError, TypeError) as exc:
        return [str(exc)]
    problems: list[str] = []
    code = bundle.get("code")
    prev = GENESIS
    for n, e in enumerate(bundle.get("events", []), start=1):
        raw = base64.b64decode(e["body"])
        if e["format"] == 1:
            digest = hashlib.sha256(prev.encode() + raw).hexdigest()
        else:
            digest = hashlib.sha256(bytes.fromhex(prev) + raw).hexdigest()
            fields = json.loads(raw)
            if fields[1] != code or fields[2] != e["seq"]:
                problems.append(f"event {e['seq']}: its body is event {fields[2]} of {fields[1]}")
        if e["seq"] != n:
            problems.append(f"event {e['seq']}: expected event {n}")
        if digest != e["hash"]:
            problems.append(f"event {e['seq']}: its body does not give its hash (edited)")
        prev = e["hash"]
        if e["proof"] is None:
            continue
        leaf = leaf_hash(bytes.fromhex(e["hash"]))
        path = [bytes.fromhex(h) for h in e["proof"]]
        if not verify_inclusion(leaf, e["position"], cp.size, path, cp.root):
            problems.append(
                f"event {e['seq']}: not in the log the checkpoint of {cp.time} covers "
                f"(position {e['position']} of {cp.size})"
            )
    return problems
