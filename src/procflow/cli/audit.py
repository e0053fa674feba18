"""``procflow checkpoint``, ``keygen``, ``prove`` and ``verify-proof``: the
audit log on the command line, each calling the library function of the
same job (:mod:`procflow.audit`). ``procflow verify DB --checkpoint FILE``
lives with ``verify`` (:mod:`procflow.cli.dossier`).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from procflow.cli.output import FORMAT_OPTION, emit, output_option


def _origin(db: str, origin: str | None) -> str:
    return origin or f"procflow {Path(db).name}"


def register(cli: click.Group) -> None:
    @cli.command("keygen")
    @click.argument("stem")
    @FORMAT_OPTION
    def keygen(stem: str, fmt: str) -> None:
        """Make an Ed25519 key pair for signing checkpoints: STEM.key and STEM.pub.

        Keep STEM.key away from the database and its backups (an officer's
        token, an offline machine): a checkpoint signed with a key the
        database's administrators can read proves nothing against them.
        Publish STEM.pub. To rotate, make a new pair, sign the next
        checkpoint with both keys (--key twice), then retire the old one.
        """
        from procflow.audit.checkpoint import keygen as make

        private, public = make(stem)
        data = {"private_key": str(private), "public_key": str(public)}
        emit(
            fmt,
            data,
            lambda c: c.print(f"wrote {escape(str(private))} (keep it secret) and {public}"),
        )

    @cli.command("checkpoint")
    @click.argument("db")
    @output_option("Write it to FILE.")
    @click.option(
        "--key",
        "keys",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Sign with this private key (procflow keygen); repeat to sign with several.",
    )
    @click.option("--origin", help="Who keeps the log (default: 'procflow' and DB's name).")
    @FORMAT_OPTION
    def checkpoint(
        db: str, output: str | None, keys: tuple[str, ...], origin: str | None, fmt: str
    ) -> None:
        """Write a checkpoint of DB's log: its size, root hash and time, signed.

        Publish it, print it in the monthly report or send it to an
        inspector: procflow verify DB --checkpoint FILE later proves the
        database still holds everything it covered.
        """
        from procflow.audit.checkpoint import load_private
        from procflow.audit.log import make_checkpoint
        from procflow.store.url import open_store

        loaded = [(load_private(k), Path(k).stem) for k in keys]
        store = open_store(db, mode="write")
        try:
            cp = make_checkpoint(
                store,
                _origin(db, origin),
                datetime.now().astimezone(),
                *(loaded[0] if loaded else ()),
            )
            for key, name in loaded[1:]:
                cp = cp.signed(key, name)
        finally:
            store.close()
        text = cp.text()
        if output:
            Path(output).write_text(text, encoding="utf-8")
        data = {"size": cp.size, "root": cp.root.hex(), "time": cp.time, "text": text}

        def render(console: Console) -> None:
            if output:
                signed = (
                    f"signed with {len(keys)} key(s)"
                    if keys
                    else "not signed (sign it with --key KEY: procflow keygen makes one)"
                )
                console.print(f"wrote {escape(output)}: {cp.size} event(s), {signed}")
            else:
                sys.stdout.write(text)

        emit(fmt, data, render)

    @cli.command("prove")
    @click.argument("db")
    @click.argument("code")
    @click.option(
        "--checkpoint",
        "checkpoint_file",
        type=click.Path(exists=True, dir_okay=False),
        help="Prove against this checkpoint (default: the database's latest).",
    )
    @output_option("Write it to FILE.")
    def prove(db: str, code: str, checkpoint_file: str | None, output: str | None) -> None:
        """Print dossier CODE's events with inclusion proofs against a checkpoint (JSON).

        Anyone can check it offline with procflow verify-proof FILE --key PUB.
        """
        from procflow.audit.checkpoint import read
        from procflow.audit.proof import prove as make
        from procflow.store.url import open_store

        cp = read(checkpoint_file) if checkpoint_file else None
        store = open_store(db, mode="read")
        try:
            bundle = make(store, code, cp)
        finally:
            store.close()
        text = json.dumps(bundle, ensure_ascii=False, indent=1) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)

    @cli.command("verify-proof")
    @click.argument("bundle", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--key",
        type=click.Path(exists=True, dir_okay=False),
        help="The public key the checkpoint must be signed with (procflow keygen's .pub).",
    )
    @FORMAT_OPTION
    def verify_proof(bundle: str, key: str | None, fmt: str) -> None:
        """Check a proof from procflow prove, offline: signature, hashes, inclusion."""
        from procflow.audit.checkpoint import load_public
        from procflow.audit.proof import verify_bundle
        from procflow.errors import ProcflowError

        try:
            data = json.loads(Path(bundle).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProcflowError(f"{bundle}: not a proof from procflow prove ({exc})") from None
        problems = verify_bundle(data, load_public(key) if key else None)
        events = len(data.get("events", []))
        proved = sum(1 for e in data.get("events", []) if e.get("proof") is not None)
        out = {"ok": not problems, "problems": problems, "events": events, "proved": proved}

        def render(console: Console) -> None:
            for p in problems:
                console.print(f"[red]{escape(p)}[/]")
            signed = "signature checked" if key else "signature NOT checked (no --key)"
            verdict = "[green]ok[/]" if not problems else "[red]FAILED[/]"
            console.print(
                f"{data.get('code')}: {proved} of {events} event(s) proved, {signed}: {verdict}"
            )

        emit(fmt, out, render)
        if problems:
            raise SystemExit(1)
