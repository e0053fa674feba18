"""The Merkle tree over the global log, as RFC 9162 (Certificate Transparency 2.0) defines it.

Every event a database holds has a position in one append-only log; leaf
``i`` is ``SHA-256(0x00 || hash of the event at position i)`` (the event's
own chained hash, raw) and an interior node ``SHA-256(0x01 || left || right)``
(RFC 9162, 2.1.1). From that follow the tree head of any size (the root a
checkpoint signs), inclusion proofs (an event is in the log a checkpoint
covers, 2.1.3) and consistency proofs (a log of size n still holds the log
of size m a checkpoint covered, 2.1.4). The verifiers here are the RFC's
algorithms word for word; docs/audit.md repeats them for auditors.

:class:`Tree` computes heads and proofs from any source of leaf hashes
(:class:`LeafSource`), remembering the roots of complete subtrees of
:data:`CACHED_LEVEL` levels and more in a node cache, so that a proof on a
log of a million events reads at most a few thousand leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping, Sequence
from typing import Protocol

EMPTY_ROOT = hashlib.sha256(b"").digest()
CACHED_LEVEL = 10
"""Complete subtrees of 2**10 leaves and more are remembered (``Tree.nodes``)."""


def leaf_hash(event_hash: bytes) -> bytes:
    """The leaf of an event: ``SHA-256(0x00 || its chained hash, raw)``."""
    return hashlib.sha256(b"\x00" + event_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH of the leaf hashes ``leaves`` (RFC 9162 2.1.1), iteratively."""
    if not leaves:
        return EMPTY_ROOT
    # Fold complete subtrees left to right, as a binary counter does.
    stack: list[tuple[int, bytes]] = []
    for leaf in leaves:
        size, h = 1, leaf
        while stack and stack[-1][0] == size:
            s, left = stack.pop()
            h, size = node_hash(left, h), size + s
        stack.append((size, h))
    h = stack.pop()[1]
    while stack:
        h = node_hash(stack.pop()[1], h)
    return h


def _perfect_root(leaves: list[bytes]) -> bytes:
    """MTH of a power-of-two number of leaves, a level at a time (the common
    case, and several times faster than :func:`root_of`'s stack)."""
    sha = hashlib.sha256
    level = leaves
    while len(level) > 1:
        level = [
            sha(b"\x01" + a + b).digest() for a, b in zip(level[::2], level[1::2], strict=True)
        ]
    return level[0]


class LeafSource(Protocol):
    def leaves(self, start: int, end: int) -> list[bytes]:
        """Leaf hashes of positions ``start`` to ``end`` - 1."""
        ...


class Tree:
    """Heads and proofs over the first ``size`` leaves of ``source``.

    ``nodes`` maps ``(level, index)`` to the root of the complete subtree of
    leaves ``index * 2**level`` to ``(index + 1) * 2**level - 1``; it is only
    a cache (a wrong entry gives proofs that fail verification, never a
    false success), kept by the store between runs.
    """

    def __init__(
        self,
        source: LeafSource,
        size: int,
        nodes: MutableMapping[tuple[int, int], bytes] | None = None,
    ) -> None:
        self.source = source
        self.size = size
        self.nodes: MutableMapping[tuple[int, int], bytes] = nodes if nodes is not None else {}
        self._small: dict[tuple[int, int], bytes] = {}
        """Smaller complete subtrees, remembered while this tree lives (the
        proofs of a dossier's several events share most of their paths)."""

    def _complete(self, level: int, index: int) -> bytes:
        if level < CACHED_LEVEL:
            key = (level, index)
            hit = self._small.get(key)
            if hit is None:
                lo = index << level
                hit = _perfect_root(self.source.leaves(lo, lo + (1 << level)))
                self._small[key] = hit
            return hit
        key = (level, index)
        hit = self.nodes.get(key)
        if hit is None:
            hit = node_hash(
                self._complete(level - 1, 2 * index), self._complete(level - 1, 2 * index + 1)
            )
            self.nodes[key] = hit
        return hit

    def subtree(self, lo: int, hi: int) -> bytes:
        """MTH of leaves ``lo`` to ``hi`` - 1, where ``lo`` starts a complete
        subtree of the ranges RFC 9162's recursion visits."""
        n = hi - lo
        if n <= 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and lo % n == 0:
            return self._complete(n.bit_length() - 1, lo // n)
        if n <= 16:
            return root_of(self.source.leaves(lo, hi))
        k = _split(n)
        return node_hash(self.subtree(lo, lo + k), self.subtree(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        return self.subtree(0, self.size if size is None else size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]) (RFC 9162 2.1.3.1)."""
        n = self.size if size is None else size
        if not 0 <= index < n:
            raise ValueError(f"position {index} is not in a log of {n} events")
        path: list[bytes] = []
        lo, hi = 0, n
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                path.append(self.subtree(lo + k, hi))
                hi = lo + k
            else:
                path.append(self.subtree(lo, lo + k))
                lo = lo + k
        path.reverse()
        return path

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[second]) (RFC 9162 2.1.4.1)."""
        n = self.size if second is None else second
        if not 0 <= first <= n:
            raise ValueError(f"a log of {first} events is not a prefix of one of {n}")
        if first in (0, n):
            return []
        proof: list[bytes] = []
        lo, hi, m, whole = 0, n, first, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                proof.append(self.subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.subtree(lo, lo + k))
                lo, m, whole = lo + k, m - k, False
        if not whole:
            proof.append(self.subtree(lo, hi))
        proof.reverse()
        return proof


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: is ``leaf`` at ``index`` of the log of ``size`` with ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """RFC 9162 2.1.4.2: does the log of ``second`` (``second_root``) extend the
    one of ``first`` (``first_root``)?"""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the old root is a node
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
