"""Audit: one append-only log over every event, its Merkle tree, signed
checkpoints and proofs an inspector checks offline (docs/audit.md)."""
