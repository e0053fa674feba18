"""The catalogue: every compiled procedure version the engine may run.

A dossier is received under the version in force on the day of receipt and
keeps that version for life, so the catalogue keeps old versions as long as
dossiers received under them may still be open.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator
from pathlib import Path

from procflow.compiler import CompiledProcedure, compile_procedure
from procflow.definition.model import Procedure
from procflow.definition.window import ambiguity_message
from procflow.errors import UnknownProcedure


class Catalogue:
    def __init__(self, procedures: Iterable[CompiledProcedure | Procedure] = ()) -> None:
        self._versions: dict[str, dict[str, CompiledProcedure]] = {}
        # in_force's answers by (id, day): every receipt asks, and a desk's
        # receipts share a handful of days (forgotten when a version is added)
        self._in_force: dict[tuple[str, dt.date], CompiledProcedure] = {}
        self.generation = 0
        """How many versions were added: a cache of what is in force (the
        engine's receipts keep one per procedure and day) is stale when it
        has moved."""
        for procedure in procedures:
            self.add(procedure)

    @classmethod
    def from_paths(
        cls, paths: Iterable[str | Path], *, cache_dir: str | Path | None = None
    ) -> Catalogue:
        """Load every procedure file under ``paths`` (files or folders).

        With ``cache_dir``, checked procedures are kept there by the exact
        bytes of their file, so a large catalogue loads again without reading
        YAML or re-running the checks (see :mod:`procflow.definition.cache`).

        Raises :class:`~procflow.errors.DefinitionError` naming the first file
        with errors; run ``procflow validate`` to see them all.
        """
        from procflow.definition.cache import LoadCache
        from procflow.definition.loader import discover, read_procedure

        cache = LoadCache(Path(cache_dir)) if cache_dir is not None else None
        catalogue = cls()
        # A catalogue is many small objects that all stay alive: the cyclic
        # garbage collector would walk the growing heap again and again for
        # nothing (it more than doubles the time of 2,000 procedures).
        paused = gc.isenabled()
        gc.disable()
        try:
            for path in discover([Path(p) for p in paths]):
                # read_procedure has run the checks: compile without repeating them.
                catalogue.add(compile_procedure(read_procedure(path, cache=cache), check=False))
        finally:
            if paused:
                gc.enable()
        return catalogue

    def add(self, procedure: CompiledProcedure | Procedure) -> CompiledProcedure:
        compiled = (
            procedure if isinstance(procedure, CompiledProcedure) else compile_procedure(procedure)
        )
        self._versions.setdefault(compiled.id, {})[compiled.version] = compiled
        self._in_force.clear()
        self.generation += 1
        return compiled

    def __iter__(self) -> Iterator[CompiledProcedure]:
        for versions in self._versions.values():
            yield from versions.values()

    def __len__(self) -> int:
        return sum(len(v) for v in self._versions.values())

    def __contains__(self, procedure_id: object) -> bool:
        return procedure_id in self._versions

    def ids(self) -> list[str]:
        return sorted(self._versions)

    def versions(self, procedure_id: str) -> list[CompiledProcedure]:
        return list(self._require(procedure_id).values())

    def get(self, procedure_id: str, version: str) -> CompiledProcedure:
        """One exact version (the one a stored dossier names)."""
        versions = self._require(procedure_id)
        try:
            return versions[version]
        except KeyError:
            raise UnknownProcedure(
                f"procedure {procedure_id!r} has no version {version!r} in the catalogue "
                f"(it has: {', '.join(sorted(versions))}); a dossier received under a version "
                "needs that version kept in the catalogue"
            ) from None

    def in_force(self, procedure_id: str, on: dt.date) -> CompiledProcedure:
        """The version in force on ``on`` (the day a dossier is received)."""
        hit = self._in_force.get((procedure_id, on))
        if hit is not None:
            return hit
        versions = self._require(procedure_id)
        matching = [c for c in versions.values() if c.procedure.in_force_on(on)]
        if not matching:
            windows = ", ".join(
                f"{c.version}: {c.procedure.effective_from or '…'} "
                f"to {c.procedure.effective_to or '…'}"
                for c in versions.values()
            )
            raise UnknownProcedure(
                f"no version of {procedure_id!r} is in force on {on.isoformat()} ({windows})"
            )
        if len(matching) > 1:
            # Overlapping windows: refuse rather than guess.
            raise UnknownProcedure(
                ambiguity_message(procedure_id, (c.procedure for c in matching), on)
            )
        if len(self._in_force) >= 4096:
            self._in_force.clear()
        self._in_force[(procedure_id, on)] = matching[0]
        return matching[0]

    def _require(self, procedure_id: str) -> dict[str, CompiledProcedure]:
        try:
            return self._versions[procedure_id]
        except KeyError:
            known = ", ".join(sorted(self._versions)) or "none"
            raise UnknownProcedure(
                f"unknown procedure {procedure_id!r}; the catalogue has: {known}"
            ) from None
