"""Checkpoints: a small signed text saying "this log had N events and this root".

A province publishes one, prints it in the monthly report or sends it to an
inspector; later, anyone holding it checks that the database still holds
every event it covered (:func:`procflow.audit.log.check_against`), and that
an event is in it (:mod:`procflow.audit.proof`). The text::

    procflow checkpoint v1
    origin: Sở Nội vụ tỉnh Lào Cai / desk.db
    size: 1048576
    root: 8d5f...= (base64 of the RFC 9162 tree head)
    time: 2026-12-02T09:30:00+07:00

    — lao-cai-2026 1a2b3c4d BASE64SIGNATURE

The body (the lines before the blank line, each ended by a newline) is what
is signed, with Ed25519 (RFC 8032, the ``cryptography`` package). A
signature line names the key and its id: the first 8 hex digits of SHA-256
of the raw 32-byte public key. A checkpoint without a signature still
catches accidents (a restored backup, a truncated file); only a signature
made with a key kept away from the database catches an insider who can
rewrite both.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from procflow.errors import ProcflowError

HEADER = "procflow checkpoint v1"
DASH = "\u2014"


class CheckpointError(ProcflowError):
    """A checkpoint or key file that cannot be read, or a signature that does not verify."""


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: str
    signature: bytes


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint (see the module)."""

    origin: str
    size: int
    root: bytes
    time: str
    signatures: tuple[Signature, ...] = field(default=())

    def body(self) -> str:
        return (
            f"{HEADER}\norigin: {self.origin}\nsize: {self.size}\n"
            f"root: {base64.b64encode(self.root).decode()}\ntime: {self.time}\n"
        )

    def text(self) -> str:
        lines = [
            f"{DASH} {s.name} {s.key_id} {base64.b64encode(s.signature).decode()}\n"
            for s in self.signatures
        ]
        return self.body() + "\n" + "".join(lines)

    def signed(self, key: Ed25519PrivateKey, name: str) -> Checkpoint:
        sig = Signature(name, key_id(key.public_key()), key.sign(self.body().encode()))
        return Checkpoint(self.origin, self.size, self.root, self.time, (*self.signatures, sig))

    def verify(self, key: Ed25519PublicKey) -> Signature:
        """The signature made with ``key``; CheckpointError when there is none or it is forged."""
        kid = key_id(key)
        mine = [s for s in self.signatures if s.key_id == kid]
        if not mine:
            raise CheckpointError(
                f"the checkpoint (size {self.size}) has no signature by key {kid}: it was "
                "not signed, or with another key"
            )
        for s in mine:
            try:
                key.verify(s.signature, self.body().encode())
                return s
            except InvalidSignature:
                continue
        raise CheckpointError(
            f"the signature by key {kid} on the checkpoint (size {self.size}) does not verify: "
            "the text was changed after it was signed"
        )


def parse(text: str, where: str = "checkpoint") -> Checkpoint:
    """Read a checkpoint's text; CheckpointError naming the line that is wrong."""
    body, _, rest = text.partition("\n\n")
    lines = body.split("\n")
    if not lines or lines[0] != HEADER:
        raise CheckpointError(f"{where}: line 1 must read {HEADER!r}; this is not a checkpoint")
    fields: dict[str, str] = {}
    for n, line in enumerate(lines[1:], start=2):
        key, sep, value = line.partition(": ")
        if not sep or key not in ("origin", "size", "root", "time") or key in fields:
            raise CheckpointError(
                f"{where}: line {n} ({line!r}) is not one of origin, size, root, time"
            )
        fields[key] = value
    missing = [k for k in ("origin", "size", "root", "time") if k not in fields]
    if missing:
        raise CheckpointError(f"{where}: no {', '.join(missing)} line")
    try:
        size = int(fields["size"])
        root = base64.b64decode(fields["root"], validate=True)
    except ValueError as exc:
        raise CheckpointError(f"{where}: size or root cannot be read ({exc})") from None
    if size < 0 or len(root) != 32:
        raise CheckpointError(f"{where}: the size must be >= 0 and the root 32 bytes")
    sigs: list[Signature] = []
    for n, line in enumerate(rest.splitlines(), start=len(lines) + 2):
        if not line.strip():
            continue
        parts = line.split(" ")
        if len(parts) != 4 or parts[0] != DASH:
            raise CheckpointError(
                f"{where}: line {n} is not a signature line ('{DASH} NAME ID SIG')"
            )
        try:
            sigs.append(Signature(parts[1], parts[2], base64.b64decode(parts[3], validate=True)))
        except ValueError:
            raise CheckpointError(f"{where}: line {n}: the signature is not base64") from None
    cp = Checkpoint(fields["origin"], size, root, fields["time"], tuple(sigs))
    if cp.body() != body + "\n":
        raise CheckpointError(f"{where}: the lines are not in the order procflow writes them")
    return cp


def read(path: str | Path) -> Checkpoint:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the checkpoint ({exc.strerror})") from None
    return parse(text, str(path))


# --- keys ---------------------------------------------------------------------------


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


def keygen(stem: str | Path) -> tuple[Path, Path]:
    """Write ``STEM.key`` (private, PKCS#8 PEM, readable by the owner only) and
    ``STEM.pub`` (public, SubjectPublicKeyInfo PEM); refuse to overwrite."""
    private, public = Path(f"{stem}.key"), Path(f"{stem}.pub")
    for path in (private, public):
        if path.exists():
            raise CheckpointError(f"{path} exists: procflow does not overwrite a key; move it away")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def load_private(path: str | Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise CheckpointError(f"{path}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path}: not an Ed25519 key (make one with procflow keygen)")
    return key


def load_public(path: str | Path) -> Ed25519PublicKey:
    try:
        data = Path(path).read_bytes()
        key = (
            serialization.load_pem_private_key(data, password=None).public_key()
            if b"PRIVATE KEY" in data
            else serialization.load_pem_public_key(data)
        )
    except (OSError, ValueError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path}: not an Ed25519 key (make one with procflow keygen)")
    return key
