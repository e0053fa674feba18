"""RFC 9162 trees, heads and proofs: checked against the RFC's recursive
definitions, with and without the node cache, and against tampering."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procflow.audit import merkle
from procflow.audit.merkle import (
    Tree,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)


def mth(d: list[bytes]) -> bytes:
    """RFC 9162 2.1.1, literally (recursive)."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = 1 << ((len(d) - 1).bit_length() - 1)
    return node_hash(mth(d[:k]), mth(d[k:]))


class Leaves:
    def __init__(self, n: int) -> None:
        self.hashes = [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]
        self.reads = 0

    def leaves(self, start: int, end: int) -> list[bytes]:
        self.reads += end - start
        return self.hashes[start:end]


@pytest.fixture(params=[10, 2], ids=["cache-from-1024", "cache-from-4"])
def level(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(merkle, "CACHED_LEVEL", request.param)
    return int(request.param)


@given(n=st.integers(0, 70))
def test_roots_follow_the_rfc(n: int) -> None:
    src = Leaves(n)
    assert root_of(src.hashes) == mth(src.hashes)
    assert Tree(src, n).root() == mth(src.hashes)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64, 65])
def test_every_inclusion_proof_verifies_and_no_other(level: int, n: int) -> None:
    src = Leaves(n)
    tree = Tree(src, n)
    root = mth(src.hashes)
    for i in range(n):
        proof = tree.inclusion_proof(i)
        assert verify_inclusion(src.hashes[i], i, n, proof, root)
        assert not verify_inclusion(src.hashes[(i + 1) % n], i, n, proof, root) or n == 1
        if proof:
            bent = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
            assert not verify_inclusion(src.hashes[i], i, n, bent, root)
        assert not verify_inclusion(src.hashes[i], i + n, n, proof, root)


@given(m=st.integers(0, 40), extra=st.integers(0, 40))
def test_consistency_proofs_verify_between_any_two_sizes(m: int, extra: int) -> None:
    n = m + extra
    src = Leaves(n)
    tree = Tree(src, n)
    first, second = mth(src.hashes[:m]), mth(src.hashes)
    proof = tree.consistency_proof(m)
    assert verify_consistency(m, n, proof, first, second)
    if 0 < m < n:
        other = Leaves(n)
        other.hashes[m - 1] = leaf_hash(b"forged")  # a different history up to m
        assert not verify_consistency(m, n, proof, mth(other.hashes[:m]), second)
        assert not verify_consistency(m, n, proof, first, mth(other.hashes))


def test_a_proof_on_a_big_log_reads_few_leaves() -> None:
    n = 1 << 14
    src = Leaves(n + 5)
    tree = Tree(src, n + 5)
    root = tree.root()  # fills the node cache, as a checkpoint does
    src.reads = 0
    proof = tree.inclusion_proof(12_345)
    assert verify_inclusion(src.hashes[12_345], 12_345, n + 5, proof, root)
    assert src.reads <= 2 * (1 << merkle.CACHED_LEVEL)
