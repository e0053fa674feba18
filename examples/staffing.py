"""How many officers keep a commune desk at or above a 99% on-time rate?

    python examples/staffing.py [--dossiers N] [--target 0.99]

Simulates the inter-agency bundle for children under 6 (birth registration,
permanent residence, health-insurance card) at a commune desk through 2026 —
Tết included — on the real engine and calendar, for increasing staffing of
the commune People's Committee and the commune police, and prints the
predicted on-time rate of each option. The load and work times come from
procedures/lien-thong/simulations/commune-desk-2026.yaml: they are
assumptions for illustration; put your desk's figures there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from procflow.calendar import WorkCalendar
from procflow.compiler import compile_procedure
from procflow.definition.loader import read_procedure
from procflow.simulation import Simulation, read_scenario

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "procedures" / "lien-thong" / "simulations" / "commune-desk-2026.yaml"

OPTIONS = [
    {"commune-pc": 1, "commune-police": 1, "social-insurance": 1},
    {"commune-pc": 2, "commune-police": 1, "social-insurance": 1},
    {"commune-pc": 2, "commune-police": 2, "social-insurance": 1},
    {"commune-pc": 3, "commune-police": 2, "social-insurance": 1},
    {"commune-pc": 3, "commune-police": 3, "social-insurance": 2},
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=None, help="fewer dossiers for a quick look")
    ap.add_argument("--target", type=float, default=0.99)
    args = ap.parse_args()

    scenario, procedure = read_scenario(SCENARIO)
    assert procedure is not None
    if args.dossiers:
        scenario = scenario.model_copy(update={"dossiers": args.dossiers})
    compiled = compile_procedure(read_procedure(procedure))
    calendar = WorkCalendar.vietnam()
    console = Console()
    table = Table(title=f"{scenario.name}: on-time rate by staffing")
    for col in ("commune PC", "police", "social insurance", "dossiers", "on time", "apologies"):
        table.add_column(col, justify="right")
    enough = None
    for officers in OPTIONS:
        result = Simulation(
            scenario.model_copy(update={"officers": officers}), compiled, calendar
        ).run()
        rate = result.on_time_rate or 0.0
        table.add_row(
            *(str(officers[a]) for a in ("commune-pc", "commune-police", "social-insurance")),
            str(result.arrivals),
            f"{rate:.2%}",
            str(result.apologies_needed),
        )
        if enough is None and rate >= args.target:
            enough = officers
    console.print(table)
    if enough is None:
        console.print(f"No option reached {args.target:.0%}: add officers or shorten the work.")
        return 1
    console.print(
        f"Smallest staffing reaching {args.target:.0%}: "
        + ", ".join(f"{agency} {n}" for agency, n in enough.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
