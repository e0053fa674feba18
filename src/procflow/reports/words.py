"""Every word of the HTML report, in Vietnamese and English, and its numbers
and dates written the way each language writes them.

The page is read by a provincial reform officer: a Vietnamese page has no
English in it (no ``on_time``, no ``held d``), an English one no Vietnamese
labels. The words shared with the rest of procflow come from
:mod:`procflow.contrib.labels` (outcomes, classifications, pause reasons,
numbers, dates); this module holds the page's own headings, column names and
sentences. Each entry is a ``(vi, en)`` pair, so a missing translation is a
missing pair, not a silent fallback; sentences with figures are
:meth:`str.format` templates with named fields.

Vietnamese follows the wording of the one-stop decrees and provincial reports
(hồ sơ trước hạn, đúng hạn, quá hạn; tỷ lệ giải quyết trước hạn và đúng hạn;
bộ phận một cửa; liên thông).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from procflow.contrib.labels import (
    Lang,
    date_text,
    end_text,
    number_text,
    pause_reason_text,
    timeliness_text,
)

__all__ = ["WORDS", "Formats", "words"]

WORDS: dict[str, tuple[str, str]] = {
    # --- the head of the page -------------------------------------------------
    "title": ("Báo cáo giải quyết hồ sơ", "Dossier processing report"),
    "period": ("Kỳ báo cáo {start} → {end}", "Period {start} → {end}"),
    "period_open_start": ("từ đầu", "the beginning"),
    "period_open_end": ("nay", "now"),
    "filter_procedure": ("thủ tục: {name}", "procedure: {name}"),
    "filter_agency": ("cơ quan: {name}", "agency: {name}"),
    "as_of": (
        "hồ sơ đang giải quyết tính đến {when}",
        "dossiers in progress as of {when}",
    ),
    "matched": ("{n} hồ sơ", "{n} dossiers"),
    # --- key figures ----------------------------------------------------------
    "kpi_rate": ("Tỷ lệ trước hạn và đúng hạn", "On-time rate"),
    "kpi_rate_sub": (
        "{done} trên {resolved} hồ sơ đã giải quyết",
        "{done} of {resolved} resolved",
    ),
    "kpi_early_sub": ("{share} số hồ sơ đã giải quyết", "{share} of resolved"),
    "kpi_late_sub": ("{n} hồ sơ có thư xin lỗi", "{n} apologised for"),
    "kpi_open": ("Đang giải quyết", "In progress"),
    "kpi_open_sub": ("{n} quá hạn tính đến {day}", "{n} overdue at {day}"),
    "kpi_supplement": ("Yêu cầu bổ sung", "Supplement requests"),
    "kpi_supplement_sub": (
        "{n} hồ sơ được hướng dẫn tại bộ phận một cửa",
        "{n} guided at the desk",
    ),
    "kpi_score": ("Điểm đánh giá", "Evaluation score"),
    "kpi_score_sub": ("{points} điểm trên {scored} hồ sơ", "{points} points for {scored} dossiers"),
    # --- rate and score ---------------------------------------------------------
    "h_score": ("Tỷ lệ đúng hạn và điểm đánh giá", "On-time rate and evaluation score"),
    "score_rate_rule": (
        "Tỷ lệ = (trước hạn + đúng hạn) / số hồ sơ đã giải quyết (trả kết quả hoặc từ chối "
        "giải quyết); hồ sơ rút, dừng giải quyết và hồ sơ đang giải quyết không tính.",
        "Rate = (early + on time) / dossiers resolved (result returned or refused); "
        "withdrawn, stopped and in-progress dossiers do not count.",
    ),
    "score_rule": (
        "Điểm: mỗi hồ sơ trước hạn được {early} điểm, đúng hạn {on_time} điểm, quá hạn "
        "{late} điểm; tỷ lệ điểm = tổng điểm / (số hồ sơ × {best}). Mỗi cơ quan được chấm "
        "trên phần việc của mình trong từng hồ sơ, theo bước chậm nhất của cơ quan: chỉ "
        "một bước quá hạn là phần của cơ quan bị tính quá hạn, dù cả hồ sơ vẫn đúng hạn.",
        "Score: {early} points for each early dossier, {on_time} on time, {late} late; "
        "percent = points / (dossiers × {best}). Each agency is scored on its own part "
        "of each dossier, by its slowest step: one late step makes its part late, even "
        "when the dossier as a whole was on time.",
    ),
    "score_unconfirmed": (
        "Thang điểm chưa được đối chiếu với văn bản gốc; có thể thay đổi (--points).",
        "The points are recalled, not confirmed against the official text; "
        "change them with --points.",
    ),
    "col_scored": ("Số hồ sơ được chấm", "Dossiers scored"),
    "col_points": ("Tổng điểm", "Points"),
    "col_average": ("Điểm bình quân", "Average"),
    "col_percent": ("Tỷ lệ điểm", "Percent"),
    "all_dossiers": ("Tất cả hồ sơ", "All dossiers"),
    # --- late and overdue dossiers -----------------------------------------------
    "h_late": ("Hồ sơ quá hạn", "Late and overdue dossiers"),
    "late_sub": (
        "Hồ sơ giải quyết quá hạn trong kỳ và hồ sơ đang giải quyết đã quá hạn: cơ quan "
        "làm chậm là cơ quan đã để bước của mình quá thời gian được giao (số ngày làm "
        "việc trễ). Thời gian tạm dừng theo lý do pháp lý không tính vào thời hạn.",
        "Dossiers resolved late in the period and dossiers in progress past their due "
        "date: the agency responsible is the one whose own steps ran past the time "
        "they were allotted (working days late). Time the clock stood still, by its "
        "legal reason, does not count against the time limit.",
    ),
    "late_none": ("Không có hồ sơ quá hạn trong kỳ.", "No late or overdue dossier in the period."),
    "late_shown": (
        "Hiển thị {shown} trên {total} hồ sơ (hồ sơ đang quá hạn trước, rồi theo số ngày trễ).",
        "Showing {shown} of {total} dossiers (still open first, then by time past due).",
    ),
    "col_code": ("Mã hồ sơ", "Dossier"),
    "col_due": ("Hạn giải quyết", "Due"),
    "col_resolved": ("Kết quả", "Resolved"),
    "col_past_due": ("Trễ (ngày làm việc)", "Past due (working days)"),
    "col_responsible": ("Cơ quan làm chậm", "Agency responsible"),
    "col_pauses": ("Tạm dừng (lý do pháp lý)", "Clock stopped (legal reason)"),
    "still_open": ("Đang giải quyết", "Still open"),
    "held_by": ("đang ở: {name}", "held by: {name}"),
    "responsible_item": ("{name}: trễ {amount}", "{name}: {amount} late"),
    "amount_days": ("{n} ngày", "{n} d"),
    "amount_hours": ("{n} giờ", "{n} h"),
    "unattributed": ("Không xác định (không bước nào quá hạn)", "None (no step ran over)"),
    "apologised": ("có thư xin lỗi", "apologised"),
    "pause_item": ("{reason}: {count} lần, {hours} giờ", "{reason}: {count}×, {hours} h"),
    "h_pauses": ("Thời gian tạm dừng theo lý do", "Clock stopped, by reason"),
    "col_reason": ("Lý do", "Reason"),
    "col_times": ("Số lần", "Times"),
    "col_hours": ("Giờ làm việc", "Working hours"),
    # --- backlog ------------------------------------------------------------------
    "h_backlog": ("Hồ sơ tồn đọng theo thời gian", "Backlog over time"),
    "backlog_sub": (
        "Số hồ sơ đang giải quyết vào cuối mỗi {unit} (đường xanh) và số hồ sơ trong đó đã "
        "quá hạn (đường đỏ). Hồ sơ tiếp nhận và trả trong cùng ngày không tính.",
        "Dossiers open at the end of each {unit} (blue line), and of those, the ones past "
        "their due date (red line). A dossier received and closed the same day does not "
        "count.",
    ),
    "unit_day": ("ngày", "day"),
    "unit_week": ("tuần", "week"),
    "backlog_summary": (
        "Đầu kỳ {first}, cuối kỳ {last}, cao nhất {peak} hồ sơ ({peak_day}).",
        "{first} at the start, {last} at the end, at most {peak} ({peak_day}).",
    ),
    # --- rate by month ---------------------------------------------------------------
    "h_months": ("Tỷ lệ đúng hạn theo tháng", "On-time rate over time"),
    "months_sub": (
        "Hồ sơ đã giải quyết (trả kết quả hoặc từ chối) mỗi tháng, theo kết quả so với "
        "hạn giải quyết; đường kẻ là tỷ lệ (trước hạn + đúng hạn) / đã giải quyết.",
        "Dossiers resolved (returned or refused) each month, by their classification "
        "against the statutory due date; the line is (early + on time) / resolved.",
    ),
    # --- the diagram ----------------------------------------------------------------
    "h_diagram": ("Thời gian trên sơ đồ quy trình", "Time on the process diagram"),
    "diagram_sub": (
        "Mỗi bước ghi thời gian được giao [trong ngoặc], thời gian xử lý thực tế (giờ làm "
        "việc: trung vị, và P90 = 90% lượt xử lý không quá mức này), số lượt quá hạn "
        "trên tổng số lượt và tỷ trọng của bước trong tổng thời gian trễ; bước gây từ "
        "{share} thời gian trễ trở lên tô đỏ.",
        "Each step shows its allotted time [in brackets], the working hours it took "
        "(median, and p90: 90% of visits took no longer), its late visits of all "
        "visits and its share of all the time past due; steps causing {share} or more "
        "of it are red.",
    ),
    "diagram_missing": (
        "Không có tệp thủ tục để vẽ sơ đồ (dùng --procedures).",
        "No procedure file to draw the diagram from (use --procedures).",
    ),
    "diagram_more": (
        "{n} thủ tục khác không vẽ sơ đồ; xem bảng thời gian theo bước.",
        "{n} more procedures are not drawn; see the table of time per step.",
    ),
    "node_time": ("{median} giờ (P90 {p90})", "{median} h (p90 {p90} h)"),
    "node_late": ("quá hạn {late}/{visits} lượt · {share}", "late {late}/{visits} · {share}"),
    "node_ok": ("{visits} lượt, không quá hạn", "{visits} visits, none late"),
    "node_none": ("không có lượt trong kỳ", "no visit in the period"),
    "legend_late": (
        "bước gây từ {share} tổng thời gian trễ trở lên",
        "step causing {share} or more of all time past due",
    ),
    "legend_handoff": ("chuyển liên thông giữa các cơ quan", "hand-off between agencies"),
    "legend_applicant": (
        "người dân thực hiện (không tính thời hạn)",
        "applicant acts (clock stopped)",
    ),
    "diagram_subtitle": (
        "Thời hạn: {limit} · {visits} lượt xử lý trong kỳ",
        "Time limit: {limit} · {visits} step visits in the period",
    ),
    # --- lateness by agency --------------------------------------------------------------
    "h_agencies": ("Chậm trễ theo cơ quan", "Lateness by agency"),
    "agencies_sub": (
        "Số ngày làm việc mỗi cơ quan giữ hồ sơ (thanh màu) so với thời gian được giao cho "
        "các bước của cơ quan (khung nét đứt), và số ngày trễ so với hạn của từng bước.",
        "Working days each agency held dossiers (bar) against the time allotted to its "
        "steps (dashed outline), and working days past its steps' own due dates.",
    ),
    "chart_held": (
        "Ngày làm việc giữ hồ sơ và thời gian được giao",
        "Working days held vs allotted",
    ),
    "chart_late": ("Ngày làm việc trễ theo cơ quan", "Working days late by agency"),
    "bar_held_note": ("trễ {days} ngày ở {steps} bước", "{days} d late in {steps} step(s)"),
    "bar_late_note": ("{n} lần chuyển liên thông trễ", "{n} late hand-off(s)"),
    "unit_days": ("ngày", "d"),
    "col_agency": ("Cơ quan", "Agency"),
    "col_steps": ("Số bước", "Steps"),
    "col_held": ("Giữ hồ sơ (ngày)", "Held (days)"),
    "col_allotted": ("Được giao (ngày)", "Allotted (days)"),
    "col_over": ("Vượt thời gian giao (ngày)", "Over allotment (days)"),
    "col_late_steps": ("Bước quá hạn", "Late steps"),
    "col_late_days": ("Trễ (ngày)", "Late (days)"),
    "col_handoffs": ("Chuyển liên thông trễ / tổng", "Late / all hand-offs"),
    "col_late_dossiers": ("Hồ sơ quá hạn do cơ quan", "Late dossiers answered for"),
    "col_steps_on_time": ("Tỷ lệ bước đúng hạn", "Steps on time"),
    "over_note": (
        "Vượt thời gian giao = thời gian giữ hồ sơ trừ thời gian được giao, chỉ ghi khi "
        "cơ quan dùng quá thời gian được giao.",
        "Over allotment = time held minus time allotted, shown only where the agency "
        "used more than it was allotted.",
    ),
    "col_late_handoff": ("Chuyển liên thông trễ", "Late hand-off"),
    "col_count": ("Số lần", "Count"),
    "col_whose": ("Trách nhiệm", "Answerable"),
    "late_summary": (
        "Hồ sơ quá hạn: {late}, trong đó {unattributed} hồ sơ không có cơ quan nào vượt "
        "thời gian được giao.",
        "Late dossiers: {late}, of which {unattributed} with no agency over its own allotment.",
    ),
    # --- time per step ------------------------------------------------------------------
    "h_steps": ("Thời gian theo bước", "Time per step"),
    "steps_sub": (
        "Giờ làm việc mỗi lượt xử lý một bước, xếp theo mức đóng góp vào thời gian trễ "
        "(thời gian quá hạn của chính bước đó). Chờ người dân = thời gian người dân bổ "
        "sung hồ sơ.",
        "Working hours per step visit, ranked by contribution to lateness (working time "
        "past the step's own due date). Waiting = the applicant's time in supplement "
        "steps.",
    ),
    "col_step": ("Bước", "Step"),
    "col_procedure": ("Thủ tục", "Procedure"),
    "col_visits": ("Số lượt", "Visits"),
    "col_median": ("Trung vị (giờ)", "Median (h)"),
    "col_p90": ("P90 (giờ)", "p90 (h)"),
    "col_max": ("Tối đa (giờ)", "Max (h)"),
    "col_waiting": ("Chờ người dân (giờ)", "Waiting (h)"),
    "col_late_visits": ("Lượt quá hạn", "Late visits"),
    "col_late_hours": ("Trễ (giờ)", "Late (h)"),
    "col_share": ("Tỷ trọng trễ", "Share of lateness"),
    # --- counts tables --------------------------------------------------------------------
    "h_groups": (
        "Theo thủ tục, cơ quan và bộ phận một cửa",
        "By procedure, agency and desk",
    ),
    "group_month": ("Tháng", "Month"),
    "group_procedure": ("Thủ tục", "Procedure"),
    "group_agency": ("Cơ quan (có tham gia)", "Agency (took part)"),
    "group_desk": ("Bộ phận một cửa tiếp nhận", "Receiving desk"),
    "col_resolved_n": ("Đã giải quyết", "Resolved"),
    "col_split": ("Tỷ lệ theo kết quả", "Split"),
    "col_rate": ("Tỷ lệ", "Rate"),
    "col_withdrawn": ("Rút / dừng", "Withdrawn / stopped"),
    "col_supplemented": ("Bổ sung", "Supplement"),
    "col_apologised": ("Xin lỗi", "Apology"),
    "col_in_progress": ("Đang giải quyết", "In progress"),
    "col_overdue": ("Trong đó quá hạn", "Of which overdue"),
    # --- foot -----------------------------------------------------------------------------
    "footer": ("procflow · lập lúc {when}", "procflow · generated {when}"),
    "footer_docs": ("Định nghĩa các chỉ số:", "Definitions:"),
    # --- the charts' own words --------------------------------------------------------------
    "chart_no_data": ("không có dữ liệu trong kỳ", "no data in this period"),
    "chart_rate_title": ("Tỷ lệ đúng hạn theo tháng", "On-time rate by month"),
    "chart_rate_line": ("(trước hạn + đúng hạn) / đã giải quyết", "(early + on time) / resolved"),
    "chart_steps_title": ("Thời gian xử lý theo bước", "Working time per step"),
    "chart_median": ("trung vị", "median"),
    "chart_p90": ("P90", "p90"),
    "chart_max": ("tối đa", "max"),
    "chart_hours": ("giờ", "h"),
    "chart_of_lateness": ("{share} thời gian trễ", "{share} of lateness"),
    "chart_backlog_title": ("Hồ sơ tồn đọng theo thời gian", "Backlog over time"),
    "chart_open": ("đang giải quyết", "open"),
    "chart_overdue": ("trong đó quá hạn", "of which overdue"),
}


def words(lang: Lang) -> dict[str, str]:
    """The page's words in ``lang``, and the shared classifications and pause
    reasons under ``timeliness.<value>``, ``outcome.<value>`` and
    ``pause.<value>``."""
    i = 1 if lang == "en" else 0
    out = {key: pair[i] for key, pair in WORDS.items()}
    for value in ("early", "on_time", "late"):
        out[f"timeliness.{value}"] = timeliness_text(value, lang)
    for value in ("returned", "refused", "withdrawn", "stopped"):
        out[f"outcome.{value}"] = end_text(value, lang)
    return out


@dataclass(frozen=True, slots=True)
class Formats:
    """Numbers, durations and instants as the page's language writes them.

    Working time is shown in working days (``day_seconds`` each, 7.5 h on
    the national calendar) or working hours, with one decimal: a report read
    by people needs "2,5 ngày", not 2.4973 or 67428.13 seconds. Instants are
    local dates and minutes (``06/03/2026 17:00``), never microseconds.
    """

    lang: Lang
    tz: tzinfo
    day_seconds: float

    def _check(self, value: Any) -> None:
        from jinja2 import Undefined

        if isinstance(value, Undefined):
            # Fail like the template would: name the missing value.
            value._fail_with_undefined_error()

    def _decimal(self, text: str) -> str:
        """English ``1,234.5`` as Vietnamese ``1.234,5``."""
        if self.lang != "vi":
            return text
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")

    def count(self, value: int) -> str:
        """``12345`` → ``12.345`` (vi), ``12,345`` (en)."""
        self._check(value)
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "vi" else text

    def pct(self, value: float | None, digits: int = 2) -> str:
        """A share as a percentage (``99,81%``); a dash when there is none."""
        self._check(value)
        if value is None:
            return "–"
        return self._decimal(f"{100 * value:.{digits}f}") + "%"

    def number(self, value: float | None, digits: int = 1) -> str:
        self._check(value)
        if value is None:
            return "–"
        return self._decimal(f"{value:,.{digits}f}")

    def points(self, value: float) -> str:
        """Points as written in the rule: ``2``, ``0,5``, ``2.735`` (vi)."""
        self._check(value)
        if float(value).is_integer():
            return self.count(int(value))
        return number_text(value, self.lang)

    def share(self, value: float | None) -> str:
        """A share in whole percent; ``< 1%`` for a little that would round to 0."""
        self._check(value)
        if value is not None and 0 < value < 0.005:
            return "< 1%"
        return self.pct(value, 0)

    def amount(self, seconds: float, words: Mapping[str, str]) -> str:
        """Working time in days, or in hours when under a tenth of a day (a
        responsible agency "0,0 days late" reads as no one)."""
        self._check(seconds)
        if seconds < 0.1 * self.day_seconds:
            return words["amount_hours"].format(n=self.hours(seconds))
        return words["amount_days"].format(n=self.days(seconds))

    def hours(self, seconds: float | None) -> str:
        """Working seconds as hours with one decimal; a dash when there is none."""
        self._check(seconds)
        return "–" if seconds is None else self.number(seconds / 3600)

    def days(self, seconds: float | None) -> str:
        """Working seconds as working days with one decimal."""
        self._check(seconds)
        return "–" if seconds is None else self.number(seconds / self.day_seconds)

    def over(self, seconds: float) -> str:
        """Time over an allotment in days, only where there is some: a dash for
        none or for time to spare (a negative "over" reads as an error)."""
        self._check(seconds)
        if seconds <= 0 or round(seconds / self.day_seconds, 1) <= 0:
            return "–"
        return self.days(seconds)

    def when(self, instant: str | datetime | None) -> str:
        """``2026-03-06T17:00:00.123456+07:00`` → ``06/03/2026 17:00`` (local time)."""
        self._check(instant)
        if instant is None:
            return ""
        moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
        local = moment.astimezone(self.tz)
        return f"{date_text(local.date(), self.lang)} {local:%H:%M}"

    def day(self, instant: str | datetime | None) -> str:
        """The local date alone (``01/04/2026``)."""
        self._check(instant)
        if instant is None:
            return ""
        moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
        return date_text(moment.astimezone(self.tz).date(), self.lang)

    def pause(self, reason: str) -> str:
        return pause_reason_text(reason, self.lang)
