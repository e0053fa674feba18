"""One-stop liaison (một cửa liên thông) across three agencies, end to end.

    python examples/lien_thong.py [--store sqlite|memory]

The bundle for a child under 6 (procedures/lien-thong/child-under-6.yaml):
the commune People's Committee registers the birth, the commune police
register permanent residence, social insurance issues the health-insurance
card. The story told here, on a virtual clock:

1. The one-stop desk receives the dossier and prints the receipt slip.
2. The commune PC finds the birth notice missing and asks the applicant for it:
   the statutory clock stops until the parent comes back the next day, and the
   due date moves by the paused working time.
3. The dossier goes to the commune police, who hold it from Tuesday to
   Friday against an allotment of 0.75 of a working day: the sweep flags the
   step overdue, and the hand-off to social insurance is late.
4. Social insurance issues the card the same day and the results are back at
   the desk on Friday afternoon, before the due time; the parent collects them
   on Monday. The dossier counts as on time: a result counts when it is ready
   at the desk (``rules.result_counts: ready``), so the parent's delay is not
   charged to any agency. The processing control slip still shows who used the
   time and that the police ran over their own allotment.

Every event is printed as it happens by a listener subscribed to the engine.
By default the dossier lives in a temporary SQLite file, so the end of the
run also checks the hash-chained log against the stored state (verify).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.loader import read_procedure
from procflow.engine import Actor, Dossier, Engine, Event, Timeliness, VirtualClock
from procflow.store import MemoryStore

ROOT = Path(__file__).resolve().parent.parent
PROCEDURE = ROOT / "procedures" / "lien-thong" / "child-under-6.yaml"
VN = ZoneInfo("Asia/Ho_Chi_Minh")

console = Console(width=150)

WORDS = {
    Timeliness.EARLY: "[green]early[/] (trước hạn)",
    Timeliness.ON_TIME: "[cyan]on time[/] (đúng hạn)",
    Timeliness.LATE: "[bold red]late[/] (quá hạn)",
}


def when(instant: datetime | None, fmt: str = "%a %d/%m %H:%M") -> str:
    return instant.astimezone(VN).strftime(fmt) if instant else "-"


def short(instant: datetime | None) -> str:
    return when(instant, "%d/%m %H:%M")


def verdict(value: Timeliness | str | None) -> str:
    return WORDS[Timeliness(value)] if value else "-"


def print_event(event: Event, dossier: Dossier) -> None:
    """The listener: what an embedding system would turn into notifications."""
    data = event.data
    detail = ""
    if "from" in data:
        detail = f"{data['from']} -> {data['to']}"
        left = data.get("left") or {}
        if left.get("timeliness"):
            detail += f"  (step {verdict(left['timeliness'])})"
    if event.type == "paused":
        detail += f"  missing: {', '.join(data.get('missing', []))}"
    if event.type == "resumed":
        detail += f"  due date moves to {when(dossier.due_at)}"
    if event.type in ("warned", "overdue"):
        detail = (
            f"{data['scope']} deadline {when(datetime.fromisoformat(data['due_at']))}, "
            f"held by {data['holder']}"
        )
    who = event.actor.agency if event.actor else "-"
    console.print(
        f"  [dim]#{event.seq:<2}[/] {when(event.at)}  [bold]{event.type:<11}[/] "
        f"[magenta]{who:<16}[/] {detail}"
    )


def control_slip_table(engine: Engine, code: str) -> tuple[Table, Table]:
    slip = engine.control_slip(code)
    rows = Table(
        title=f"Phiếu kiểm soát quá trình giải quyết hồ sơ — processing control slip {code}",
        title_justify="left",
    )
    for col in (
        "step",
        "held by",
        "handed to",
        "entered",
        "left",
        "step due",
        "used h",
        "late h",
        "result",
    ):
        rows.add_column(col, justify="right" if col.endswith(" h") else "left", no_wrap=True)
    for r in slip.rows:
        to = r.to_agency if r.to_agency and r.to_agency != r.from_agency else ""
        rows.add_row(
            r.step,
            r.from_agency or "-",
            to,
            short(r.entered_at),
            short(r.left_at),
            short(r.due_at),
            f"{r.used_working_hours:.2f}",
            f"{r.late_working_hours:.2f}",
            verdict(r.timeliness),
        )
    agencies = Table(title="Working hours per agency", title_justify="left")
    agencies.add_column("agency")
    agencies.add_column("used h", justify="right")
    agencies.add_column("late h", justify="right")
    for agency, acc in slip.per_agency.items():
        late = acc["late_hours"]
        style = "bold red" if late > 0 else ""
        agencies.add_row(agency, f"{acc['used_hours']:.2f}", f"{late:.2f}", style=style)
    return rows, agencies


def run(store_kind: str, workdir: Path) -> int:
    procedure = compile_procedure(read_procedure(PROCEDURE))
    if store_kind == "sqlite":
        from procflow.store.sqlite import SQLiteStore

        store = SQLiteStore(workdir / "lien-thong.db")
    else:
        store = MemoryStore()
    clock = VirtualClock(datetime(2025, 3, 10, 8, 0, tzinfo=VN))  # a Monday morning
    engine = Engine(
        store,
        Catalogue([procedure]),
        WorkCalendar.vietnam(),
        clock,
        agency_codes={"commune-pc": "UBXA"},
    )
    engine.subscribe(print_event)

    desk = Actor("lan", "commune-pc", "desk-officer", "Trần Thị Lan")
    justice = Actor("hoa", "commune-pc", "justice-officer", "Lê Văn Hòa")
    police = Actor("binh", "commune-police", "residence-officer", "Phạm Văn Bình")
    insurance = Actor("an", "social-insurance", "card-officer", "Ngô Thị An")

    console.rule(f"[bold]{procedure.procedure.name.vi}")
    console.print(f"store: {store_kind}; clock: virtual, starting {when(clock.now())}\n")
    console.print("[bold]Events, as the listener receives them[/]")

    # 1. Reception at the one-stop desk of the commune People's Committee.
    slip = engine.receive(
        procedure.id,
        actor=desk,
        applicant={"name": "Nguyễn Văn Minh", "child": "Nguyễn Gia Bảo"},
        documents=["Tờ khai đăng ký khai sinh", "Tờ khai CT01"],
    )
    code = slip.code
    clock.advance(hours=1)
    engine.fire(code, "forward", desk)

    # 2. The justice officer finds the birth notice missing: supplement round.
    clock.advance(hours=2)
    engine.fire(code, "request_supplement", justice, missing=["Giấy chứng sinh (birth notice)"])
    clock.advance(hours=22)  # the parent comes back the next morning, 09:00
    engine.fire(code, "resubmit", justice, note="birth notice supplied")
    clock.advance(hours=2)
    engine.fire(code, "register", justice)
    clock.advance(minutes=30)
    engine.fire(code, "send", justice)

    # 3. The commune police hold it for three working days; the sweep notices.
    clock.advance(days=1, hours=2, minutes=30)  # Wednesday 14:00
    engine.sweep()
    clock.advance(days=1, hours=20)  # Friday 10:00
    engine.fire(code, "register", police)
    clock.advance(hours=1)
    engine.fire(code, "send", police)

    # 4. Social insurance issues the card the same afternoon; the results are
    #    back at the desk on Friday, and the parent collects them on Monday.
    clock.advance(hours=3)
    engine.fire(code, "issue", insurance)
    clock.advance(hours=1, minutes=30)
    engine.fire(code, "send", insurance)
    clock.set(datetime(2025, 3, 17, 8, 30, tzinfo=VN))
    final = engine.fire(code, "hand_over", desk)

    console.print()
    console.print(
        Panel(
            f"code [bold]{slip.code}[/]\nprocedure {slip.procedure_name}\n"
            f"applicant {slip.applicant['name']} (child: {slip.applicant['child']})\n"
            f"documents {', '.join(d['name'] for d in slip.documents)}\n"
            f"received {when(slip.received_at)} by {slip.received_by}\n"
            f"time limit {slip.time_limit}; appointment [bold]{when(slip.appointment)}[/]",
            title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả — receipt and appointment slip",
            title_align="left",
        )
    )
    rows, agencies = control_slip_table(engine, code)
    console.print(rows)
    console.print(agencies)

    slip_after = engine.control_slip(code)
    late_agencies = {
        a: acc["late_hours"] for a, acc in slip_after.per_agency.items() if acc["late_hours"] > 0
    }
    for agency, hours in late_agencies.items():
        console.print(
            f"Late hand-off: [bold red]{agency}[/] ran {hours:.2f} working hours over its allotment"
        )
    console.print(
        f"Statutory due date (after the supplement pause): {when(final.due_at)}; "
        f"returned {when(final.closed_at)}"
    )
    console.print(f"Classification: {final.outcome} {verdict(final.timeliness)}")

    report = engine.verify([code])
    console.print(
        f"verify: {'ok' if report.ok else report.problems} "
        f"({len(engine.history(code))} events, hash chain and replay checked)"
    )
    store.close()
    return 0 if report.ok and engine.listener_errors == 0 else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="procflow-example-") as tmp:
        return run(args.store, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
