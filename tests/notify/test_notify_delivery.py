"""Delivery against real servers on 127.0.0.1: an SMTP server (aiosmtpd) and an
HTTP server, on every store. Nothing is lost when a server goes down, nothing
is delivered twice under one key, two dispatchers racing deliver each key
once, and what keeps failing is dead-lettered after N attempts."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from notify_flow import DESK, MAI, escalate, every_notice, receive
from notify_servers import HTTPSink, SMTPSink
from notify_setup import Opener, config_for

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Engine, VirtualClock
from procflow.model.outbox import DeliveryStatus
from procflow.model.storage import Store
from procflow.notify import notify
from procflow.notify.channels.smtp import message_id

T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def statuses(store: Store) -> Counter[str]:
    return Counter(d.status.value for d in store.deliveries())


def test_a_receipt_reaches_the_applicant_by_mail_with_its_appointment(
    engine: Engine, smtp: SMTPSink
) -> None:
    code = receive(engine)
    run = notify(engine.store, config_for(smtp=smtp), catalogue=engine.catalogue, now=T0)
    assert (run.fanned_out, run.planned, run.sent, run.retried, run.dead) == (1, 1, 1, 0, 0)
    (mail,) = smtp.messages
    key = f"{code}:1:email:applicant"
    assert mail["To"] == "mai@example.vn"
    assert mail["Idempotency-Key"] == key
    assert mail["Message-ID"] == message_id(key, "xa.example.vn")
    assert mail["Subject"] == f"[UBND cấp xã] Đã tiếp nhận hồ sơ {code}"
    body = mail.get_content()
    assert "Kính gửi Nguyễn Thị Mai" in body
    assert "lúc 08:00 thứ Ba, 03/03/2026" in body
    # Three working days: the appointment on the receipt slip.
    assert "Thời gian hẹn trả kết quả: 17:00 thứ Sáu, 06/03/2026." in body
    (delivery,) = engine.store.deliveries()
    assert delivery.status is DeliveryStatus.SENT and delivery.attempts == 1
    assert [i.done for i in engine.store.outbox_items()] == [True]
    # Run again: nothing more to do.
    again = notify(engine.store, config_for(smtp=smtp), now=T0 + timedelta(days=1))
    assert (again.fanned_out, again.sent) == (0, 0)
    assert len(smtp.messages) == 1


def test_each_notice_reaches_whom_it_concerns(
    engine: Engine, clock: VirtualClock, smtp: SMTPSink
) -> None:
    codes = every_notice(engine, clock)
    run = notify(engine.store, config_for(smtp=smtp), catalogue=engine.catalogue, now=T0)
    assert run.dead == 0 and run.retried == 0 and run.sent == len(smtp.messages)
    by_to: dict[str, list[str]] = {}
    for mail in smtp.messages:
        by_to.setdefault(str(mail["To"]), []).append(str(mail["Subject"]))
    whole, refused, guided, not_received, late = codes
    child = "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi"
    assert sorted(by_to.pop("mai@example.vn")) == sorted(
        f"[UBND cấp xã] {subject}"
        for subject in [
            f"Đã tiếp nhận hồ sơ {whole}",
            f"Yêu cầu bổ sung, hoàn thiện hồ sơ {whole}",
            f"Hồ sơ {whole} đã có kết quả",
            f"Đã trả kết quả hồ sơ {whole}",
            f"Đã tiếp nhận hồ sơ {refused}",
            f"Từ chối giải quyết hồ sơ {refused}",
            f"Hướng dẫn bổ sung, hoàn thiện hồ sơ {guided}",
            f'Từ chối tiếp nhận hồ sơ thủ tục "{child}"',
            f"Đã tiếp nhận hồ sơ {late}",
            f"Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {late}",
        ]
    )
    assert not_received != guided
    # The late dossier's overdue step: the officers of the commune (the
    # holder) hear of it, in their own language; the police do not.
    assert by_to.pop("hoa@xa.example.vn") == [
        f"[Quá hạn] Hồ sơ {late} tại UBND cấp xã",
        f"[Sắp đến hạn] Hồ sơ {late} tại UBND cấp xã",
    ]
    assert by_to.pop("minh@xa.example.vn") == [
        f"[Overdue] Dossier {late} at Commune People's Committee",
        f"[Due soon] Dossier {late} at Commune People's Committee",
    ]
    assert by_to == {}


def test_an_applicant_without_the_address_a_channel_needs_gets_nothing_there(
    engine: Engine, smtp: SMTPSink, http: HTTPSink
) -> None:
    receive(engine, {"name": "Lò Văn Páo", "phone": "0987654321"})  # no e-mail address
    run = notify(engine.store, config_for(smtp=smtp, http=http), now=T0)
    assert (run.planned, run.sent, run.unreachable) == (1, 1, 1)
    assert smtp.messages == []
    ((key, body),) = http.requests
    assert body["to"] == "0987654321" and body["key"] == key and key.endswith(":sms:applicant")
    assert body["facts"]["appointment"] == "2026-03-06T17:00:00+07:00"


def test_the_mail_server_down_then_up_loses_nothing_and_doubles_nothing(
    engine: Engine, smtp: SMTPSink
) -> None:
    codes = [receive(engine) for _ in range(5)]
    config = config_for(smtp=smtp)
    smtp.stop()
    down = notify(engine.store, config, now=T0)
    assert (down.planned, down.sent, down.retried, down.dead) == (5, 0, 5, 0)
    assert statuses(engine.store) == {"pending": 5}
    smtp.start()
    # Before the backoff has passed, nothing is tried again.
    early = notify(engine.store, config, now=T0 + timedelta(seconds=59))
    assert early.sent == 0 and smtp.messages == []
    up = notify(engine.store, config, now=T0 + timedelta(seconds=60))
    assert up.sent == 5
    assert smtp.keys() == Counter({f"{code}:1:email:applicant": 1 for code in codes})
    assert {d.attempts for d in engine.store.deliveries()} == {2}
    assert "cannot reach the mail server" in str(down.errors[0])


def test_the_gateway_going_down_mid_run_loses_nothing_and_doubles_nothing(
    engine: Engine, http: HTTPSink
) -> None:
    codes = [receive(engine) for _ in range(8)]
    config = config_for(http=http)
    http.die_after = 3
    first = notify(engine.store, config, now=T0)
    assert not http.running
    assert first.sent >= 3 and first.sent + first.retried == 8 and first.dead == 0
    http.die_after = None
    http.start()
    second = notify(engine.store, config, now=T0 + timedelta(minutes=1))
    assert first.sent + second.sent == 8 and second.retried == 0
    assert http.keys() == Counter({f"{code}:1:sms:applicant": 1 for code in codes})
    assert statuses(engine.store) == {"sent": 8}


def test_a_crash_between_sending_and_recording_repeats_under_the_same_key(
    engine: Engine, http: HTTPSink
) -> None:
    # The gateway takes the message but answers after the dispatcher gave up
    # waiting: to procflow it failed, so it is sent again, under the same
    # key, and a gateway that keeps keys delivers it once.
    code = receive(engine)
    config = config_for(http=http)
    config.channels["sms"].timeout_seconds = 0.5
    http.delay = 1.0
    first = notify(engine.store, config, now=T0)
    assert (first.sent, first.retried) == (0, 1)
    http.delay = 0.0
    second = notify(engine.store, config, now=T0 + timedelta(minutes=1))
    assert second.sent == 1
    key = f"{code}:1:sms:applicant"
    assert [k for k, _ in http.requests] == [key, key]
    assert len({k for k, _ in http.requests}) == 1  # what a gateway that keeps keys delivers


def test_what_keeps_failing_is_dead_lettered_after_n_attempts_and_can_be_requeued(
    engine: Engine, http: HTTPSink
) -> None:
    code = receive(engine)
    config = config_for(http=http)  # max_attempts 4, first wait 60 s, doubling
    http.answer = lambda n: 503
    at = T0
    waits = []
    for _ in range(4):
        run = notify(engine.store, config, now=at)
        (delivery,) = engine.store.deliveries()
        waits.append(delivery.next_attempt_at - at)
        at = delivery.next_attempt_at
    assert run.dead == 1
    assert delivery.status is DeliveryStatus.DEAD and delivery.attempts == 4
    assert "answered 503" in (delivery.last_error or "")
    assert waits[:3] == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    key = f"{code}:1:sms:applicant"
    assert http.keys() == Counter({key: 4})
    notify(engine.store, config, now=at + timedelta(days=30))
    assert http.keys() == Counter({key: 4})  # dead: never tried again by itself
    # The gateway is mended; an operator requeues the dead letters.
    http.answer = lambda n: 200
    assert engine.store.delivery_requeue(at + timedelta(days=30)) == 1
    again = notify(engine.store, config, now=at + timedelta(days=30))
    assert again.sent == 1 and http.keys() == Counter({key: 5})


def test_a_refusal_for_good_is_dead_at_once(engine: Engine, smtp: SMTPSink, http: HTTPSink) -> None:
    receive(engine)
    smtp.refuse.add("mai@example.vn")
    http.answer = lambda n: 400
    run = notify(engine.store, config_for(smtp=smtp, http=http), now=T0)
    assert (run.sent, run.retried, run.dead) == (0, 0, 2)
    assert {d.attempts for d in engine.store.deliveries()} == {1}
    errors = sorted(d.last_error or "" for d in engine.store.deliveries())
    assert "answered 400" in errors[0] and "refused mai@example.vn" in errors[1]


def test_a_worker_that_died_holding_a_claim_is_taken_over_after_its_lease(
    engine: Engine, http: HTTPSink
) -> None:
    receive(engine)
    config = config_for(http=http)
    store = engine.store
    notify(store, config, now=T0, channels={})  # fan out only: no channel to send on
    (delivery,) = store.deliveries()
    store.delivery_requeue(T0)  # (not dead: nothing to requeue)
    lease = timedelta(seconds=config.retry.lease_seconds)
    due = delivery.next_attempt_at
    claimed = store.delivery_claim(due, worker="dead-worker", lease=lease)
    assert [d.key for d in claimed] == [delivery.key]
    # While the lease runs, nobody else sends it.
    during = notify(store, config, now=due + lease - timedelta(seconds=1))
    assert during.sent == 0 and http.requests == []
    after = notify(store, config, now=due + lease + timedelta(seconds=1))
    assert after.sent == 1
    # The dead worker, back, cannot record over the one that took over.
    assert not store.delivery_sent(delivery.key, worker="dead-worker", now=due)
    assert http.keys() == Counter({delivery.key: 1})


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_two_dispatchers_racing_deliver_each_key_once(
    opener: Opener,
    catalogue: Catalogue,
    calendar: WorkCalendar,
    clock: VirtualClock,
    http: HTTPSink,
    backend: str,
) -> None:
    engine = Engine(opener(), catalogue, calendar, clock)
    codes = [receive(engine, {**MAI, "name": f"Người {i}"}) for i in range(24)]
    config = config_for(http=http, retry={"batch": 3})
    http.delay = 0.01
    start = threading.Barrier(2)
    runs = []

    def work() -> None:
        store = opener()  # each worker its own connection, opened in its thread
        try:
            start.wait()
            runs.append(notify(store, config, now=T0))
        finally:
            store.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert http.keys() == Counter({f"{code}:1:sms:applicant": 1 for code in codes})
    assert sum(r.sent for r in runs) == 24 and sum(r.fanned_out for r in runs) == 24
    assert all(r.sent > 0 for r in runs), [r.sent for r in runs]  # both did share the work
    assert sum(r.lost for r in runs) == 0
    assert statuses(engine.store) == {"sent": 24}


def test_officers_hear_of_an_escalation_by_the_roles_its_rule_names(
    engine: Engine, smtp: SMTPSink, clock: VirtualClock
) -> None:
    code = receive(engine)
    engine.fire(code, "forward", DESK)
    escalate(engine, code, clock, ["leader"])
    notify(engine.store, config_for(smtp=smtp), catalogue=engine.catalogue, now=T0)
    escalations = [m for m in smtp.messages if "Escalated" in str(m["Subject"])]
    (mail,) = escalations  # the leader only, not the officer of the same agency
    assert mail["To"] == "minh@xa.example.vn"
    body = mail.get_content()
    assert "is late" in body and "reports it to leader" in body
    assert "14:45 Tuesday, 3 March 2026" in body
    assert "Note: Báo cáo Chủ tịch UBND xã" in body


def test_an_escalation_that_names_no_role_tells_no_officer(
    engine: Engine, smtp: SMTPSink, clock: VirtualClock
) -> None:
    code = receive(engine)
    engine.fire(code, "forward", DESK)
    escalate(engine, code, clock, [])  # the rule only reassigns or fires a move
    run = notify(engine.store, config_for(smtp=smtp), now=T0)
    assert [str(m["To"]) for m in smtp.messages] == ["mai@example.vn"]  # the receipt only
    assert run.fanned_out == 2


def test_the_file_channel_appends_one_json_line_per_message(engine: Engine, tmp_path: Path) -> None:
    import json

    code = receive(engine)
    path = tmp_path / "notices.jsonl"
    run = notify(engine.store, config_for(file=path), now=T0)
    assert run.sent == 1
    (line,) = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["key"] == f"{code}:1:archive:applicant"
    assert record["dossier"] == code and record["event"]["type"] == "received"
    assert record["language"] == "vi" and "17:00 thứ Sáu, 06/03/2026" in record["text"]


def test_deliveries_filter_by_recipient_and_list_the_newest_first(
    engine: Engine, clock: VirtualClock, tmp_path: Path
) -> None:
    """What a desk shows an officer: their own notices, the latest first, read
    by the store (a filter and an order, not a scan of every delivery)."""
    store = engine.store
    path = tmp_path / "notices.jsonl"
    receive(engine)
    notify(store, config_for(file=path), now=T0)  # the receipt: the applicant's
    every_notice(engine, clock)
    notify(store, config_for(file=path), now=T0 + timedelta(hours=1))
    every = store.deliveries()
    assert every == sorted(every, key=lambda d: (d.code, d.seq, d.key))
    recipients = {d.recipient for d in every}
    assert {"applicant", "officer:hoa"} <= recipients
    for who in recipients:
        mine = store.deliveries(recipient=who)
        assert mine == [d for d in every if d.recipient == who]
    newest = store.deliveries(newest_first=True)
    assert sorted(newest, key=lambda d: (d.code, d.seq, d.key)) == every
    assert [d.created_at for d in newest] == sorted((d.created_at for d in every), reverse=True)
    assert newest[-1].created_at == T0 and newest[0].created_at == T0 + timedelta(hours=1)
    officer = store.deliveries(recipient="officer:hoa", newest_first=True, limit=2)
    assert officer == [d for d in newest if d.recipient == "officer:hoa"][:2]
