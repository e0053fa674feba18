"""A one-stop desk (bộ phận một cửa) web application embedding procflow.

    pip install -e ".[web]"
    python examples/one_stop_desk/app.py --db desk.db

Then open http://127.0.0.1:5000/. Three kinds of page:

* **officer pages** (``/login``, ``/officer``, ``/dossier/<code>``): pick an
  officer (agency and role come from ``officers.json``); the officer's page
  is their agency's worklist, soonest deadline first, with what is assigned
  to them and the notices the outbox delivered to them (``engine.worklist``,
  ``engine.assign``, ``procflow.notify``); "Nhận xử lý" takes a dossier;
  the notices button sweeps the deadlines (the procedures' escalation rules
  notify the head of the agency) and dispatches the outbox. Receive a dossier
  (prints the receipt-and-appointment slip), act on dossiers: the buttons are
  ``engine.available(code, actor)``, the triggers this officer may fire now;
  request a supplement, issue an apology. Whatever the page shows, every action
  goes through the engine, which refuses actions outside the officer's agency
  (``NotPermitted``); the message is shown as it is.
* **citizen lookup** (``/lookup``, tra cứu hồ sơ): status, appointment date,
  current agency, working time used.
* **overview** (``/overview``): on-time rates from :mod:`procflow.reports`.

Everything procflow does here goes through its public API: ``Engine`` (one per
thread: a SQLite store object belongs to the thread that opened it),
``Catalogue``, ``WorkCalendar``, ``build_report`` and the diagram renderer.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import CompiledProcedure
from procflow.contrib.diagram import build_diagram, render
from procflow.contrib.labels import (
    duration_text,
    end_text,
    hours_text,
    kind_text,
    move_label,
    number_text,
    timeliness_text,
)
from procflow.engine import Actor, Clock, Dossier, Engine, SystemClock, VirtualClock
from procflow.errors import DossierNotFound, ProcflowError
from procflow.notify.config import parse_config
from procflow.notify.message import Message
from procflow.reports import ReportQuery, build_report
from procflow.store.sqlite import SQLiteStore

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_PROCEDURES = ROOT / "procedures"
DEFAULT_OFFICERS = HERE / "officers.json"


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    agency: str
    role: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.agency, self.role, self.name)


PAGE = 25
"""Dossiers per worklist page."""


def _cursor(text: str | None) -> tuple[float, str] | None:
    """A worklist page's start (``stamp/code``, as the page before printed it)."""
    stamp, sep, code = (text or "").partition("/")
    try:
        return (float(stamp), code) if sep and code else None
    except ValueError:
        return None


def load_officers(path: str | Path) -> dict[str, Officer]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {o["id"]: Officer(o["id"], o["name"], o["agency"], o.get("role")) for o in data}


def parse_now(text: str | None, tz: Any) -> datetime | None:
    """``2026-03-03T08:00`` (Vietnam time unless it says otherwise) or None."""
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def create_app(
    db: str | Path,
    *,
    procedures: Sequence[str | Path] = (DEFAULT_PROCEDURES,),
    officers: str | Path = DEFAULT_OFFICERS,
    clock: Clock | None = None,
    secret_key: str | None = None,
) -> Flask:
    """The desk application on the SQLite file ``db``.

    ``clock``: a :class:`VirtualClock` makes dates deterministic (tests,
    demos); default the system clock, or ``PROCFLOW_DESK_NOW`` (an ISO time)
    for a clock frozen at that instant.
    """
    catalogue = Catalogue.from_paths(procedures)
    calendar = WorkCalendar.vietnam()
    if clock is None:
        frozen = parse_now(os.environ.get("PROCFLOW_DESK_NOW"), calendar.tz)
        clock = VirtualClock(frozen) if frozen else SystemClock(calendar.tz)
    staff = load_officers(officers)
    # Agency names for pages that span procedures: the shortest name any
    # procedure gives the agency (procedures may qualify it, e.g. "... (cơ quan
    # đăng ký kinh doanh)").
    agencies: dict[str, str] = {}
    for compiled in catalogue:
        for agency in compiled.procedure.agencies:
            name = agency.name.vi
            if agency.id not in agencies or len(name) < len(agencies[agency.id]):
                agencies[agency.id] = name
    local = threading.local()
    # Notices go through the outbox (written with their events) and out by a
    # file channel next to the database: officers hear of warnings, overdue
    # deadlines and escalations for the dossiers their agency holds, the head
    # of the agency (role "leader") of escalations too. In production the
    # channels would be e-mail and an SMS/Zalo webhook (docs/notifications.md).
    notify_config = parse_config(
        {
            "channels": {"desk-file": {"type": "file", "path": f"{Path(db).name}.notices.jsonl"}},
            "citizen": {"channels": []},
            "officers": [
                {
                    "id": o.id,
                    "name": o.name,
                    "agency": o.agency,
                    "roles": [o.role] if o.role else [],
                    "channels": ["desk-file"],
                }
                for o in staff.values()
            ],
        },
        source="the desk's notification settings",
        base_dir=Path(db).resolve().parent,
    )

    app = Flask(__name__)
    app.secret_key = secret_key or os.environ.get("PROCFLOW_DESK_SECRET") or os.urandom(16).hex()
    app.config["PROCFLOW_DB"] = str(db)

    def engine() -> Engine:
        # One engine per thread: a SQLite store belongs to the thread that opened it.
        eng: Engine | None = getattr(local, "engine", None)
        if eng is None:
            eng = Engine(SQLiteStore(db), catalogue, calendar, clock)
            local.engine = eng
        return eng

    app.extensions["procflow_engine"] = engine

    def officer() -> Officer | None:
        officer_id = session.get("officer")
        return staff.get(officer_id) if isinstance(officer_id, str) else None

    def require_officer() -> Officer:
        current = officer()
        if current is None:
            abort(redirect(url_for("login", next=request.path)))
        return current

    # --- formatting helpers for the templates ---------------------------------

    def when(value: datetime | None, with_time: bool = True) -> str:
        if value is None:
            return ""
        value = value.astimezone(calendar.tz)
        return value.strftime("%H:%M %d/%m/%Y" if with_time else "%d/%m/%Y")

    def step_name(proc: CompiledProcedure, step_id: str) -> str:
        try:
            return proc.procedure.step(step_id).name.vi
        except KeyError:
            return end_text(step_id)

    def used_seconds(d: Dossier, now: datetime) -> float:
        """Working time the agencies used: closed visits plus the open one."""
        total = sum(v.used_seconds for v in d.visits if v.left_at is not None)
        if d.is_open and not d.is_paused:
            total += max(0.0, calendar.working_seconds_between(d.state_entered_at, now))
        return total

    def appointment(d: Dossier) -> datetime:
        """The date to tell the applicant: the latest promised date (receipt
        slip, apology, or the later date after answering a supplement request)."""
        return d.appointment

    def status_of(proc: CompiledProcedure, d: Dossier) -> str:
        if not d.is_open:
            return end_text(d.outcome or "")
        if d.is_paused:
            return f"Chờ người dân: {step_name(proc, d.state)}"
        return f"Đang giải quyết: {step_name(proc, d.state)}"

    @app.context_processor
    def helpers() -> dict[str, Any]:
        return {
            "officer": officer(),
            "agencies": agencies,
            "when": when,
            "number": number_text,
            "hours": hours_text,
            "kind_text": kind_text,
            "duration_text": duration_text,
            "timeliness_text": timeliness_text,
            "appointment": appointment,
            "now": clock.now(),
        }

    # --- login ------------------------------------------------------------------

    @app.route("/")
    def index() -> Any:
        return redirect(url_for("officer_home" if officer() else "login"))

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "POST":
            officer_id = request.form.get("officer", "")
            if officer_id not in staff:
                flash("Không có cán bộ này. / No such officer.", "error")
                return redirect(url_for("login"))
            session["officer"] = officer_id
            return redirect(request.args.get("next") or url_for("officer_home"))
        return render_template("login.html", staff=list(staff.values()))

    @app.route("/logout", methods=["POST"])
    def logout() -> Any:
        session.pop("officer", None)
        return redirect(url_for("login"))

    # --- officer pages -----------------------------------------------------------

    @app.route("/officer")
    def officer_home() -> Any:
        """The officer's table: what is assigned to them, and their agency's
        worklist, soonest deadline first (``engine.worklist``: an indexed
        query, never a scan of the open dossiers), one page at a time."""
        me = require_officer()
        eng = engine()
        now = clock.now()
        today = now.astimezone(calendar.tz).date()
        receivable = [
            c
            for c in catalogue
            if c.procedure.desk.id == me.agency and c.procedure.in_force_on(today)
        ]
        show = request.args.get("show", "")
        after = _cursor(request.args.get("after"))
        page = eng.worklist(
            agency=me.agency,
            overdue=True if show == "overdue" else None,
            warned=True if show == "warned" else None,
            limit=PAGE,
            after=after,
            now=now,
        )
        assigned = eng.worklist(officer=me.id, limit=PAGE, now=now)
        if me.role:
            assigned += [
                i
                for i in eng.worklist(role=me.role, agency=me.agency, limit=PAGE, now=now)
                if i.assigned_role == me.role and i.code not in {a.code for a in assigned}
            ]
        nxt = None
        if len(page) == PAGE:
            stamp, code = page[-1].cursor
            nxt = f"{stamp!r}/{code}"
        return render_template(
            "officer.html",
            receivable=receivable,
            mine=[row_of(eng, i) for i in page],
            assigned=[row_of(eng, i) for i in assigned],
            notices=notices_for(eng, me),
            show=show,
            next_page=nxt,
            me=me,
        )

    def row_of(eng: Engine, item: Any) -> dict[str, Any]:
        """A worklist line for the page: names, not ids."""
        proc = eng.catalogue.versions(item.procedure_id)[-1]
        return {
            "item": item,
            "procedure": proc.procedure.name.vi,
            "step": step_name(proc, item.state),
            "assignee": staff[item.assignee].name if item.assignee in staff else item.assignee,
        }

    def notices_for(eng: Engine, me: Officer) -> list[dict[str, Any]]:
        """The notices the outbox delivered to this officer (escalations to the
        head of the agency, warnings, overdue deadlines), newest first."""
        latest = eng.store.deliveries(recipient=f"officer:{me.id}", limit=20, newest_first=True)
        return [{"delivery": d, "subject": Message.of_delivery(d).subject} for d in latest]

    @app.route("/dossier/<code>/assign", methods=["POST"])
    def assign(code: str) -> Any:
        """Take a dossier (assign it to oneself) or give it to a colleague."""
        me = require_officer()
        to = request.form.get("officer") or me.id
        try:
            engine().assign(code, me.actor, officer=to)
        except ProcflowError as exc:
            flash(f"{type(exc).__name__}: {exc}", "error")
        else:
            name = staff[to].name if to in staff else to
            flash(f"Đã giao hồ sơ cho {name} ✓", "ok")
        return redirect(url_for("dossier", code=code))

    @app.route("/notify", methods=["POST"])
    def dispatch() -> Any:
        """Sweep the deadlines (warnings, overdue, the procedures' escalation
        rules), then deliver what the outbox holds. In production ``procflow
        sweep`` and ``procflow notify`` run from cron or a worker; the button
        is for the demonstration."""
        require_officer()
        from procflow.notify import notify

        eng = engine()
        swept = eng.sweep(clock.now())
        report = notify(eng.store, notify_config, catalogue=catalogue, now=clock.now())
        flash(f"{len(swept)} sự kiện hạn xử lý; đã gửi {report.sent} thông báo ✓", "ok")
        return redirect(url_for("officer_home"))

    @app.route("/receive", methods=["POST"])
    def receive() -> Any:
        me = require_officer()
        procedure_id = request.form.get("procedure", "")
        applicant = {
            "name": request.form.get("applicant", "").strip(),
            "phone": request.form.get("phone", "").strip(),
        }
        documents = request.form.getlist("documents")
        try:
            slip = engine().receive(
                procedure_id, actor=me.actor, applicant=applicant, documents=documents
            )
        except ProcflowError as exc:
            flash(str(exc), "error")
            return redirect(url_for("officer_home"))
        return redirect(url_for("slip", code=slip.code))

    @app.route("/slip/<code>")
    def slip(code: str) -> Any:
        require_officer()
        eng = engine()
        try:
            d = eng.get(code)
        except DossierNotFound:
            abort(404)
        received = eng.history(code)[0]
        proc = eng.procedure_of(d)
        return render_template(
            "slip.html",
            d=d,
            proc=proc.procedure,
            documents=received.data.get("documents", []),
            received_by=received.actor,
            desk=agencies.get(d.desk_agency, d.desk_agency),
        )

    @app.route("/dossier/<code>")
    def dossier(code: str) -> Any:
        me = require_officer()
        eng = engine()
        try:
            d = eng.get(code)
        except DossierNotFound:
            flash(f"Không tìm thấy hồ sơ {code}. / No dossier {code}.", "error")
            return redirect(url_for("officer_home"))
        proc = eng.procedure_of(d)
        triggers = eng.available(code, me.actor) if d.is_open else []
        # Triggers leading to an applicant step ask for what is missing.
        asks = set()
        for trigger in triggers:
            t = proc.resolve(d.state, trigger, d.facts)
            if t is not None and proc.states[t.dest].is_applicant:
                asks.add(trigger)
        holder_may = eng.available(code) if d.is_open else []
        return render_template(
            "dossier.html",
            d=d,
            proc=proc,
            status=status_of(proc, d),
            triggers=[t for t in triggers if t not in asks],
            asks=sorted(asks),
            holder_may=holder_may,
            step_name=lambda s: step_name(proc, s),
            # Buttons say the move in words; the form still posts the trigger.
            move=lambda t: move_label(proc.procedure, t, "vi", d.state),
            used=used_seconds(d, clock.now()),
            slip=eng.control_slip(code),
            assignee=(staff[d.assignee].name if d.assignee in staff else d.assignee)
            or (f"vai trò {d.assigned_role}" if d.assigned_role else None),
            may_assign=d.holder == me.agency and d.assignee != me.id,
        )

    @app.route("/dossier/<code>/fire", methods=["POST"])
    def fire(code: str) -> Any:
        me = require_officer()
        trigger = request.form.get("trigger", "")
        missing = [m.strip() for m in request.form.get("missing", "").split(";") if m.strip()]
        eng = engine()
        try:
            d = eng.get(code)
            label = move_label(eng.procedure_of(d).procedure, trigger, "vi", d.state)
            eng.fire(
                code, trigger, me.actor, note=request.form.get("note") or None, missing=missing
            )
        except ProcflowError as exc:
            # NotPermitted, InvalidTrigger, RuleViolation...: the engine's own words.
            flash(f"{type(exc).__name__}: {exc}", "error")
        else:
            flash(f"{label} ✓", "ok")
        return redirect(url_for("dossier", code=code))

    @app.route("/dossier/<code>/apologise", methods=["POST"])
    def apologise(code: str) -> Any:
        me = require_officer()
        try:
            day = date.fromisoformat(request.form.get("new_date", ""))
            new = datetime.combine(day, time(17, 0), tzinfo=calendar.tz)
            slip = engine().apologise(
                code, me.actor, reason=request.form.get("reason", ""), new_appointment=new
            )
        except ValueError:
            flash("Ngày hẹn mới không hợp lệ. / The new date is not a date.", "error")
        except ProcflowError as exc:
            flash(f"{type(exc).__name__}: {exc}", "error")
        else:
            flash(
                f"Phiếu xin lỗi và hẹn lại: {when(slip.new_appointment)} "
                f"(thay cho {when(slip.previous_appointment)})",
                "ok",
            )
        return redirect(url_for("dossier", code=code))

    @app.route("/dossier/<code>/diagram.svg")
    def dossier_diagram(code: str) -> Any:
        require_officer()
        eng = engine()
        try:
            d = eng.get(code)
        except DossierNotFound:
            abort(404)
        diagram = build_diagram(
            eng.procedure_of(d).procedure, dossier=d, calendar=calendar, now=clock.now()
        )
        return Response(render(diagram, "svg"), mimetype="image/svg+xml")

    # --- citizen lookup ------------------------------------------------------------

    @app.route("/lookup")
    def lookup() -> Any:
        code = request.args.get("code", "").strip().upper()
        found: dict[str, Any] | None = None
        if code:
            eng = engine()
            try:
                d = eng.get(code)
            except DossierNotFound:
                flash(f"Không tìm thấy hồ sơ có mã {code}. / No dossier with this code.", "error")
            else:
                if d.state in ("guided", "refused_at_reception"):
                    flash(f"Hồ sơ {code} chưa được tiếp nhận. / Not received.", "error")
                else:
                    proc = eng.procedure_of(d)
                    limit = proc.procedure.time_limit
                    found = {
                        "d": d,
                        "procedure": proc.procedure.name.vi,
                        "status": status_of(proc, d),
                        "holder": agencies.get(d.holder or "", ""),
                        "used": used_seconds(d, clock.now()),
                        "limit": duration_text(limit),
                        "timeliness": d.timeliness.value if d.timeliness else None,
                    }
        return render_template("lookup.html", code=code, found=found)

    # --- overview ------------------------------------------------------------------

    @app.route("/overview")
    def overview() -> Any:
        eng = engine()
        report = build_report(
            eng.store, ReportQuery(tz=calendar.tz), calendar=calendar, now=clock.now()
        )
        names = {c.id: c.procedure.name.vi for c in catalogue}
        return render_template("overview.html", rates=report.rates, names=names)

    @app.template_filter("pct")
    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")

    return app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One-stop desk example on procflow")
    parser.add_argument("--db", default="desk.db", help="SQLite file (created if missing)")
    parser.add_argument(
        "--procedures", action="append", default=None, help="procedure folder (repeatable)"
    )
    parser.add_argument("--officers", default=str(DEFAULT_OFFICERS), help="officers JSON file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument(
        "--now",
        default=None,
        help="freeze the clock at this ISO time (demos), e.g. 2026-03-03T08:00",
    )
    args = parser.parse_args(argv)
    clock = None
    if args.now:
        tz = WorkCalendar.vietnam().tz
        frozen = parse_now(args.now, tz)
        assert frozen is not None
        clock = VirtualClock(frozen)
    app = create_app(
        args.db,
        procedures=args.procedures or [DEFAULT_PROCEDURES],
        officers=args.officers,
        clock=clock,
    )
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
