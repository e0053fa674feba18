"""``procflow simulate`` and ``procflow compare``: what-if runs on the real engine."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from procflow.calendar import WorkCalendar
from procflow.cli.calendar import check_in_calendar
from procflow.cli.output import FORMAT_OPTION, emit, progress
from procflow.compiler import CompiledProcedure, compile_procedure
from procflow.definition.loader import read_procedure
from procflow.errors import ProcflowError
from procflow.simulation import Scenario, Simulation, compare, read_scenario
from procflow.simulation.runner import SimulationResult


def _load(procedure: str) -> CompiledProcedure:
    return compile_procedure(read_procedure(Path(procedure)), check=False)


def _scenario(
    path: str,
    dossiers: int | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    seed: int | None,
    officers: tuple[str, ...],
) -> Scenario:
    scenario, _ = read_scenario(path)
    update: dict[str, Any] = {}
    if dossiers is not None:
        update["dossiers"] = dossiers
    if start is not None or end is not None:
        first = start.date() if start else scenario.first_day
        last = end.date() if end else (scenario.period.end if scenario.period else first)
        update["period"] = {"from": first, "to": last}
    if seed is not None:
        update["seed"] = seed
    if officers:
        staff = dict(scenario.officers)
        for item in officers:
            agency, _, n = item.partition("=")
            if not n.isdigit():
                raise click.BadParameter(f"{item!r}: write AGENCY=N", param_hint="--officers")
            staff[agency] = int(n)
        update["officers"] = staff
    data = scenario.model_dump(by_alias=True) | update
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        # Only the command-line overrides can be wrong here: the file was valid.
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'scenario'}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise click.UsageError(
            f"the options given do not fit scenario {path}: {problems}; check --from/--to, "
            "--dossiers, --seed and --officers"
        ) from None


def _check_period(
    sc: Scenario, calendar: WorkCalendar, path: str, start: object, end: object
) -> None:
    """The days the run covers lie in the calendar, else an error naming the option or file."""
    check_in_calendar(calendar, sc.first_day, "--from" if start else f"{path}: the period")
    if sc.period is not None:
        check_in_calendar(calendar, sc.period.end, "--to" if end else f"{path}: the period")


def summary(r: SimulationResult) -> dict[str, Any]:
    """The run's dossiers in the words and counts of ``procflow report``.

    Every dossier received is in exactly one of: early, on time, late (the
    resolved ones: returned or refused), withdrawn, stopped, refused or
    guided at reception, or still in progress, so the counts add up to the
    number received. ``apologised`` counts dossiers given an apology, as the
    report does; the simulator gives none, so each late dossier is counted
    as ``late_without_apology`` (the law asks for an apology before the due
    date of every dossier that will be late). These are two different
    figures: the old summary called the second one "apologies needed",
    which read like the report's apologies.
    """
    outcomes = r.outcomes
    counts: dict[str, int] = {
        "early": r.timeliness.get("early", 0),
        "on_time": r.timeliness.get("on_time", 0),
        "late": r.timeliness.get("late", 0),
        "withdrawn": outcomes.get("withdrawn", 0),
        "stopped": outcomes.get("stopped", 0),
        "guided": outcomes.get("guided", 0),
        "refused_at_reception": outcomes.get("refused_at_reception", 0),
    }
    closed = sum(n for outcome, n in outcomes.items() if outcome != "open")
    counts["in_progress"] = r.arrivals - closed
    resolved = counts["early"] + counts["on_time"] + counts["late"]
    return {
        "received": r.arrivals,
        **counts,
        "resolved": resolved,
        "rate": r.on_time_rate,
        "apologised": 0,
        "late_without_apology": counts["late"],
        "adds_up": sum(counts.values()) == r.arrivals,
    }


_WORDS = {
    "early": "early",
    "on_time": "on time",
    "late": "late",
    "withdrawn": "withdrawn",
    "stopped": "stopped",
    "guided": "guided",
    "refused_at_reception": "refused at reception",
    "in_progress": "in progress",
}
# Always shown, even at 0, so that the sum reads the same from run to run.
_ALWAYS = ("early", "on_time", "late", "withdrawn", "stopped", "in_progress")


def _render_result(console: Console, r: SimulationResult) -> None:
    s = summary(r)
    rate = f"{s['rate']:.2%}" if s["rate"] is not None else "-"
    console.print(f"[bold]{r.scenario}[/] — {r.procedure}, seed {r.seed}")
    terms = " + ".join(f"{s[k]} {w}" for k, w in _WORDS.items() if k in _ALWAYS or s[k])
    console.print(f"{s['received']} received = {terms}")
    console.print(
        f"On-time rate [bold]{rate}[/] ({s['early']} early + {s['on_time']} on time of "
        f"{s['resolved']} resolved). Apologised {s['apologised']}: the simulator gives no "
        f"apologies; late without an apology: {s['late_without_apology']}."
    )
    table = Table(title="Per agency")
    for col in ("agency", "officers", "utilisation", "mean queue", "steps on time", "late h"):
        table.add_column(col, justify="right" if col != "agency" else "left")
    for agency, a in r.per_agency.items():
        on_time = a.get("on_time_rate")
        table.add_row(
            agency,
            str(a["officers"]),
            f"{float(a['utilisation'] or 0):.0%}",
            f"{float(a['mean_queue'] or 0):.1f}",
            f"{on_time:.1%}" if on_time is not None else "-",
            f"{float(a['late_hours'] or 0):.1f}",
        )
    console.print(table)
    if r.late_steps:
        console.print(
            "Steps causing most lateness: "
            + ", ".join(f"{s['step']} ({s['late_hours']:.0f} h)" for s in r.late_steps[:3])
        )


def register(cli: click.Group) -> None:
    date_type = click.DateTime(formats=["%Y-%m-%d"])

    @cli.command("simulate")
    @click.argument("procedure", type=click.Path(exists=True, dir_okay=False))
    @click.argument("scenario", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--dossiers", type=click.IntRange(min=1), default=None, help="Stop after N arrivals."
    )
    @click.option("--from", "start", type=date_type, default=None, help="First day (YYYY-MM-DD).")
    @click.option("--to", "end", type=date_type, default=None, help="Last day of arrivals.")
    @click.option("--seed", type=int, default=None)
    @click.option("--officers", multiple=True, metavar="AGENCY=N", help="Override staffing.")
    @click.option(
        "--out", type=click.Path(dir_okay=False), default=None, help="Write a procflow database."
    )
    @FORMAT_OPTION
    def simulate(
        procedure: str,
        scenario: str,
        dossiers: int | None,
        start: dt.datetime | None,
        end: dt.datetime | None,
        seed: int | None,
        officers: tuple[str, ...],
        out: str | None,
        fmt: str,
    ) -> None:
        """Run simulated dossiers through PROCEDURE under SCENARIO on the real engine."""
        compiled = _load(procedure)
        calendar = WorkCalendar.vietnam()
        sc = _scenario(scenario, dossiers, start, end, seed, officers)
        _check_period(sc, calendar, scenario, start, end)
        unknown = sorted({item.partition("=")[0] for item in officers} - set(compiled.agencies))
        if unknown:
            raise click.BadParameter(
                f"{', '.join(unknown)}: no such agency in {compiled.procedure.id}; its agencies "
                f"are {', '.join(compiled.agencies)}",
                param_hint="--officers",
            )
        if out and Path(out).exists():
            raise ProcflowError(f"{out} exists; give a new file for the results")
        # With --out, closed dossiers are written in batches as the run goes.
        sim = Simulation(sc, compiled, calendar, out=out or None)
        try:
            with progress("simulating", sc.dossiers, enabled=fmt != "json") as advance:
                result = sim.run(progress=advance.to)
        except BaseException:
            if out and "://" not in out:  # no half-written results file left behind
                Path(out).unlink(missing_ok=True)
            raise
        data = result.to_dict()
        # One name per figure, the report's: "apologies_needed" was the late
        # dossiers, which read like apologies given (see summary()).
        data.pop("apologies_needed", None)
        data["summary"] = summary(result)
        if out:
            data["saved"] = {"database": out, "dossiers": sim.saved}
        emit(fmt, data, lambda c: _render_result(c, result))

    @cli.command("compare")
    @click.argument("a", type=click.Path(exists=True, dir_okay=False))
    @click.argument("b", type=click.Path(exists=True, dir_okay=False))
    @click.argument("scenario", type=click.Path(exists=True, dir_okay=False))
    @click.option("--replications", type=click.IntRange(min=1), default=5, show_default=True)
    @click.option("--dossiers", type=click.IntRange(min=1), default=None)
    @click.option("--seed", type=int, default=None)
    @click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Processes for the runs (default: one per core); results do not depend on it.",
    )
    @FORMAT_OPTION
    def compare_cmd(
        a: str,
        b: str,
        scenario: str,
        replications: int,
        dossiers: int | None,
        seed: int | None,
        jobs: int | None,
        fmt: str,
    ) -> None:
        """Run the same simulated dossiers through two versions A and B of a procedure."""
        sc = _scenario(scenario, dossiers, None, None, seed, ())
        calendar = WorkCalendar.vietnam()
        _check_period(sc, calendar, scenario, None, None)
        first, second = _load(a), _load(b)
        with progress(
            "comparing", replications, enabled=fmt != "json", unit="replications"
        ) as advance:
            result = compare(
                sc,
                first,
                second,
                calendar,
                replications=replications,
                progress=advance.to,
                jobs=jobs if jobs is not None else (os.cpu_count() or 1),
            )
        data = result.to_dict()

        def render(console: Console) -> None:
            table = Table(title=f"{result.a}  vs  {result.b}  ({replications} replications)")
            table.add_column("replication")
            table.add_column("A on time", justify="right")
            table.add_column("B on time", justify="right")
            for i, (x, y) in enumerate(zip(result.rates_a, result.rates_b, strict=True), 1):
                table.add_row(str(i), f"{x:.2%}", f"{y:.2%}")
            console.print(table)
            ci = result.ci95
            ci_text = f" (95% CI {ci[0]:+.2%} to {ci[1]:+.2%})" if ci else ""
            console.print(f"B - A: [bold]{result.mean_difference:+.2%}[/]{ci_text}")

        emit(fmt, data, render)
