"""A stored dossier's papers, rebuilt from its log, are the papers the engine
issued: the same dataclasses, field for field, on SQLite and PostgreSQL; a
dossier without such a paper says which papers it has."""

from __future__ import annotations

from dataclasses import replace

import pytest
from printcase import APPLICANT, DOCUMENTS, PC, PC_HEAD, Desk, at

from procflow.contrib.printing import (
    NoSuchSlip,
    apology_slip,
    receipt_slip,
    refusal_slip,
    slip_for,
    supplement_request,
)
from procflow.errors import DossierNotFound, RuleViolation
from procflow.model.slips import ReceiptSlip, StopNotice, SupplementRequest


def test_a_rebuilt_receipt_is_the_receipt_issued(any_desk: Desk) -> None:
    for issued in (any_desk.old, any_desk.new, any_desk.withdrawn):
        rebuilt = receipt_slip(any_desk.engine, issued.code)
        # The engine hands back the documents as given; the log keeps them as dicts.
        assert rebuilt == issued, issued.code
    old = receipt_slip(any_desk.engine, any_desk.old.code)
    assert (old.form, old.legal_basis) == ("01", "01/2018/TT-VPCP")
    assert old.documents == DOCUMENTS and old.applicant == APPLICANT
    assert old.appointment == at("2025-09-17T17:00")  # the first date, not the later ones


def test_a_rebuilt_guidance_refusal_and_apology_are_those_issued(any_desk: Desk) -> None:
    engine = any_desk.engine
    assert supplement_request(engine, any_desk.guided.code) == any_desk.guided
    assert refusal_slip(engine, any_desk.refused.code) == any_desk.refused
    assert apology_slip(engine, any_desk.old.code) == any_desk.apology


def test_the_supplement_request_during_processing_is_read_from_the_pause(any_desk: Desk) -> None:
    slip = supplement_request(any_desk.engine, any_desk.supplement)
    assert slip == SupplementRequest(
        code=any_desk.supplement,
        procedure_id=any_desk.old.procedure_id,
        missing=["Tờ khai có chữ ký", "Bản sao giấy chứng nhận kết hôn"],
        reason="tờ khai thiếu chữ ký của người đi khai sinh",
        contact_officer=str(PC),
        issued_at=at("2025-09-12T10:00"),
        during_processing=True,
    )
    assert (slip.form, slip.legal_basis) == ("02", "01/2018/TT-VPCP")


def test_slip_for_picks_each_paper_by_name(desk: Desk) -> None:
    engine, old = desk.engine, desk.old.code
    assert isinstance(slip_for(engine, old, "receipt"), ReceiptSlip)
    assert slip_for(engine, old, "control") == engine.control_slip(old)
    notice = slip_for(engine, old, "stop")
    assert isinstance(notice, StopNotice) and notice.signed_by == str(PC_HEAD)
    assert slip_for(engine, old, "apology") == desk.apology


@pytest.mark.parametrize(
    ("which", "name", "message"),
    [
        ("refused", "receipt", r"has no receipt slip: it was not received: refused at the desk"),
        ("guided", "receipt", r"not received: guided .*\(--slip supplement\)"),
        ("new", "refusal", r"has no refusal slip: it was received"),
        ("new", "apology", r"has no apology: none was issued"),
        ("new", "supplement", r"has no supplement request"),
        ("guided", "control", r"has no control slip"),
        ("new", "minutes", r"no paper named 'minutes'; name one of receipt, supplement"),
    ],
)
def test_a_paper_the_dossier_does_not_have_is_named_with_what_it_has(
    desk: Desk, which: str, name: str, message: str
) -> None:
    code = getattr(desk, which).code
    with pytest.raises(NoSuchSlip, match=message):
        slip_for(desk.engine, code, name)


def test_no_stop_notice_for_an_open_dossier_and_no_paper_for_an_unknown_code(desk: Desk) -> None:
    with pytest.raises(RuleViolation, match="neither stopped nor withdrawn"):
        slip_for(desk.engine, desk.new.code, "stop")
    for name in ("receipt", "control", "apology"):
        with pytest.raises(DossierNotFound):
            slip_for(desk.engine, "NOPE-000000-00001", name)


def test_a_receipt_whose_procedure_version_is_gone_still_rebuilds_with_ids(desk: Desk) -> None:
    from procflow.catalogue import Catalogue
    from procflow.engine import Engine

    bare = Engine(desk.engine.store, Catalogue([]), desk.engine.calendar, desk.clock)
    slip = receipt_slip(bare, desk.new.code)
    assert slip.procedure_name == slip.procedure_id and slip.time_limit == ""
    assert slip.fees == ()
    known = replace(
        slip,
        procedure_name=desk.new.procedure_name,
        time_limit="3 working days",
        fees=desk.new.fees,
    )
    assert known == desk.new
