"""Documents and fees at reception (issue 22, part 4), on every store.

A procedure's ``documents`` (with forms, copies and conditions on facts) are
checked when a dossier is received, when the procedure or the call asks; a
dossier lacking one is refused with the list of what is missing, nothing is
written, and the supplement request is made from that list in one call. The
fees that apply to the dossier's facts are on the receipt slip with their
legal basis.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from enginetest import DESK, VN, load
from hypothesis import given, settings
from hypothesis import strategies as st

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.loader import load_procedure
from procflow.definition.model import Document
from procflow.engine import Engine, VirtualClock
from procflow.engine.documents import MissingDocument
from procflow.errors import MissingDocuments, RuleViolation
from procflow.store import MemoryStore, Store

PID = "vn.test.desk-documents"
CHILD = "vn.lien-thong.child-under-6"

# A small procedure of the commune desk whose documents exercise every rule:
# forms, copies, a condition on a fact (when / unless), a document not required,
# and fees that depend on whether the dossier came online.
PROCEDURE = """\
procflow: 1
id: vn.test.desk-documents
version: "2026-01"
name: {vi: Thủ tục thử thành phần hồ sơ, en: Test procedure for documents}
legal_basis:
  - number: 118/2025/NĐ-CP
    date: 2025-06-09
effective_from: 2025-07-01
time_limit: 3 working days
agencies:
  - id: commune-pc
    name: Ủy ban nhân dân cấp xã
    desk: true
steps:
  - id: reception
    name: Tiếp nhận hồ sơ
    kind: reception
    agency: commune-pc
    time: 1 working days
    outcomes:
      forward: return
  - id: return
    name: Trả kết quả
    kind: return
    agency: commune-pc
    time: 1 working days
    outcomes:
      hand_over: returned
documents:
  - name: {vi: Tờ khai đề nghị, en: Application form}
    id: to-khai
    form: original
    template: Mẫu 01
  - name: Giấy chứng sinh
    form: certified_copy
  - name: {vi: Bản vẽ sơ đồ, en: Site drawing}
    form: copy
    copies: 2
  - name: Văn bản ủy quyền
    form: certified_copy
    when: by_proxy
  - name: Căn cước công dân
    form: original_or_copy
    unless: has_vneid
  - name: Ảnh chân dung
    form: copy
    required: false
fees:
  - name: Lệ phí (nộp trực tiếp)
    amount: 20000
    basis: Thông tư 75/2022/TT-BTC
    unless: online
  - name: Lệ phí (nộp trực tuyến)
    amount: 10000
    basis: Thông tư 75/2022/TT-BTC
    when: online
  - name: Phí sao y
    amount: 5000
    basis: Nghị quyết HĐND tỉnh
rules:
  check_documents: true
"""

ALL_FOR_NO_FACTS = ["to-khai", "Giấy chứng sinh", "Bản vẽ sơ đồ", "Căn cước công dân"]


def _procedure() -> Any:
    result = load_procedure("desk-documents.yaml", text=PROCEDURE)
    assert result.ok, [str(f) for f in result.findings]
    return result.procedure


@pytest.fixture(scope="module")
def desk_catalogue() -> Catalogue:
    return Catalogue(
        [
            compile_procedure(_procedure()),
            compile_procedure(load("procedures/lien-thong/child-under-6.yaml")),
        ]
    )


@pytest.fixture
def desk_engine(store: Store, desk_catalogue: Catalogue, calendar: WorkCalendar) -> Engine:
    # Tuesday 10/03/2026 09:00: in office hours, so the clock starts at receipt.
    return Engine(
        store, desk_catalogue, calendar, VirtualClock(datetime(2026, 3, 10, 9, tzinfo=VN))
    )


def _codes(engine: Engine) -> list[str]:
    return list(engine.store.codes())


# --- the check at receipt --------------------------------------------------------------------


def test_a_complete_dossier_is_received_with_its_documents_and_fees(desk_engine: Engine) -> None:
    slip = desk_engine.receive(
        PID,
        actor=DESK,
        applicant={"name": "Trần Văn Nam"},
        documents=[
            "to-khai",
            {"name": "giấy chứng sinh", "form": "original"},  # an original covers a certified copy
            {"name": "Site drawing", "copies": 1},
            {"id": "ban-ve-so-do", "form": "original", "copies": 1},  # copies add up: 2
            "Căn cước công dân",
        ],
    )
    # the event records what was handed in, each named by its id
    received = desk_engine.history(slip.code)[0]
    assert [d.get("id") for d in received.data["documents"]] == [
        "to-khai",
        "giay-chung-sinh",
        "ban-ve-so-do",
        "ban-ve-so-do",
        "can-cuoc-cong-dan",
    ]
    assert received.data["documents"][1] == {
        "id": "giay-chung-sinh",
        "name": "giấy chứng sinh",
        "form": "original",
    }
    assert slip.documents == received.data["documents"]
    # fees for a dossier not submitted online: the desk fee and the copying fee
    assert [(f.name, f.amount, f.basis) for f in slip.fees] == [
        ("Lệ phí (nộp trực tiếp)", 20000, "Thông tư 75/2022/TT-BTC"),
        ("Phí sao y", 5000, "Nghị quyết HĐND tỉnh"),
    ]
    assert slip.fees_total == 25000
    assert slip.to_dict()["fees"][0] == {
        "name": "Lệ phí (nộp trực tiếp)",
        "amount": 20000,
        "currency": "VND",
        "basis": "Thông tư 75/2022/TT-BTC",
        "note": None,
    }
    # 3 working days from Tuesday 10/03 09:00: Wed 11, Thu 12, Fri 13
    assert slip.appointment == datetime(2026, 3, 13, 17, 0, tzinfo=VN)
    assert slip.clock_starts_at == slip.received_at
    assert desk_engine.verify().ok


def test_the_fees_follow_the_facts(desk_engine: Engine) -> None:
    slip = desk_engine.receive(PID, actor=DESK, documents=ALL_FOR_NO_FACTS, facts={"online": True})
    assert [(f.name, f.amount) for f in slip.fees] == [
        ("Lệ phí (nộp trực tuyến)", 10000),
        ("Phí sao y", 5000),
    ]
    assert slip.to_dict()["fees_total"] == 15000


def test_a_dossier_lacking_documents_is_refused_with_the_list_and_nothing_is_written(
    desk_engine: Engine,
) -> None:
    with pytest.raises(MissingDocuments) as caught:
        desk_engine.receive(
            PID,
            actor=DESK,
            documents=[
                {"name": "Tờ khai đề nghị", "form": "copy"},  # a copy for an original
                "Giấy chứng sinh",
                {"name": "Bản vẽ sơ đồ", "copies": 1},  # 1 of 2 copies
                "Ảnh chân dung",  # not required: never missing, welcome all the same
                "Giấy khai sinh của bà",  # not in the list
            ],
            facts={"by_proxy": True},
        )
    error = caught.value
    assert isinstance(error, RuleViolation)  # handled like every rule at the desk
    assert error.missing == (
        MissingDocument("to-khai", "Tờ khai đề nghị", "original", 1, 0, "copy", "Mẫu 01"),
        MissingDocument("ban-ve-so-do", "Bản vẽ sơ đồ", "copy", 2, 1),
        MissingDocument("van-ban-uy-quyen", "Văn bản ủy quyền", "certified_copy", 1),
        MissingDocument("can-cuoc-cong-dan", "Căn cước công dân", "original_or_copy", 1),
    )
    assert error.unknown == ("Giấy khai sinh của bà",)
    message = str(error)
    assert "4 required document(s) missing" in message
    assert "'Tờ khai đề nghị' (to-khai, original; a copy was handed in)" in message
    assert "'Bản vẽ sơ đồ' (ban-ve-so-do, copy, 2 copies; 1 handed in)" in message
    assert "'Giấy khai sinh của bà'" in message and "misspelt" in message
    assert _codes(desk_engine) == []


def test_conditions_decide_which_documents_are_required(desk_engine: Engine) -> None:
    names = [d.ref for d in desk_engine.required_documents(PID)]
    assert names == ["to-khai", "giay-chung-sinh", "ban-ve-so-do", "can-cuoc-cong-dan"]
    proxy = [d.ref for d in desk_engine.required_documents(PID, facts={"by_proxy": True})]
    assert "van-ban-uy-quyen" in proxy
    vneid = [d.ref for d in desk_engine.required_documents(PID, facts={"has_vneid": True})]
    assert "can-cuoc-cong-dan" not in vneid
    # a dossier with an electronic identity needs no identity card
    slip = desk_engine.receive(
        PID, actor=DESK, documents=ALL_FOR_NO_FACTS[:3], facts={"has_vneid": True}
    )
    assert slip.code


def test_the_check_is_the_procedures_rule_unless_the_call_decides(desk_engine: Engine) -> None:
    # the procedure checks: a call may turn it off (a back-office entry of an old dossier)
    assert desk_engine.receive(PID, actor=DESK, check_documents=False).code
    # the child bundle does not check (rules.check_documents defaults to false): a desk
    # recording only some documents keeps working, and they are recorded as before
    slip = desk_engine.receive(CHILD, actor=DESK, documents=["Giấy chứng sinh"])
    assert desk_engine.history(slip.code)[0].data["documents"] == [{"name": "Giấy chứng sinh"}]
    # ... and a call may turn it on
    with pytest.raises(MissingDocuments) as caught:
        desk_engine.receive(CHILD, actor=DESK, documents=["Giấy chứng sinh"], check_documents=True)
    assert [m.id for m in caught.value.missing] == [
        "to-khai-dang-ky-khai-sinh",
        "to-khai-thay-doi-thong-tin-cu-tru",
    ]
    assert len(_codes(desk_engine)) == 2


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"name": "to-khai", "form": "photocopy"}, "documents[0].form: 'photocopy' is not a form"),
        ({"name": "to-khai", "copies": 0}, "documents[0].copies: 0 is not a number of copies"),
        ({"name": "to-khai", "copies": True}, "documents[0].copies: True"),
        ({"form": "copy"}, "documents[0]: name the document with 'name' or 'id'"),
    ],
)
def test_a_badly_described_document_is_refused_naming_the_entry(
    desk_engine: Engine, entry: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(RuleViolation, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        desk_engine.receive(PID, actor=DESK, documents=[entry, *ALL_FOR_NO_FACTS])
    assert _codes(desk_engine) == []


# --- the supplement request from the list ------------------------------------------------------


def test_the_supplement_request_is_made_from_the_refusal_in_one_call(desk_engine: Engine) -> None:
    with pytest.raises(MissingDocuments) as caught:
        desk_engine.receive(PID, actor=DESK, documents=["to-khai", "Bản vẽ sơ đồ:x"])
    request = desk_engine.guide(PID, actor=DESK, missing=caught.value.missing)
    assert request.missing == [
        "Giấy chứng sinh (bản sao có chứng thực)",
        "Bản vẽ sơ đồ (bản sao, 2 bản)",
        "Căn cước công dân (bản chính hoặc bản sao)",
    ]
    assert [d["id"] for d in request.documents] == [
        "giay-chung-sinh",
        "ban-ve-so-do",
        "can-cuoc-cong-dan",
    ]
    assert request.to_dict()["documents"][1]["copies"] == 2
    guided = desk_engine.history(request.code)[0]
    assert guided.type.value == "guided"
    assert guided.data["missing"] == request.missing
    assert [d["id"] for d in guided.data["missing_documents"]] == [
        "giay-chung-sinh",
        "ban-ve-so-do",
        "can-cuoc-cong-dan",
    ]
    # the guidance started no clock: the dossier is not received
    assert desk_engine.get(request.code).state == "guided"


def test_guide_checks_what_was_handed_in_itself(desk_engine: Engine) -> None:
    request = desk_engine.guide(
        PID,
        actor=DESK,
        documents=[*ALL_FOR_NO_FACTS, {"name": "Văn bản ủy quyền", "form": "copy"}],
        facts={"by_proxy": True},
        reason="thiếu văn bản ủy quyền có chứng thực",
    )
    assert request.missing == [
        "Văn bản ủy quyền (bản sao có chứng thực): đã nộp bản sao",
    ]
    assert request.reason == "thiếu văn bản ủy quyền có chứng thực"
    with pytest.raises(RuleViolation, match="is missing: receive the dossier"):
        desk_engine.guide(PID, actor=DESK, documents=ALL_FOR_NO_FACTS)
    # text written by hand still makes the slip as before, without the data
    by_hand = desk_engine.guide(PID, actor=DESK, missing=["Sổ hộ khẩu cũ"])
    assert by_hand.missing == ["Sổ hộ khẩu cũ"]
    assert "documents" not in by_hand.to_dict()
    assert "missing_documents" not in desk_engine.history(by_hand.code)[0].data


def test_missing_documents_writes_nothing(desk_engine: Engine) -> None:
    lacking = desk_engine.missing_documents(PID, documents=["to-khai"], facts={"has_vneid": True})
    assert [m.id for m in lacking] == ["giay-chung-sinh", "ban-ve-so-do"]
    assert desk_engine.missing_documents(PID, documents=ALL_FOR_NO_FACTS) == []
    assert _codes(desk_engine) == []


# --- a property: refused exactly when a required document lacks ------------------------------

FORMS = ["original", "certified_copy", "copy", None]
WORTH = {"original": 2, "certified_copy": 1, "copy": 0, "original_or_copy": 0}
DOCS = _procedure().documents


@settings(max_examples=60)
@given(
    handed=st.lists(
        st.tuples(
            st.sampled_from(DOCS),
            st.sampled_from(FORMS),
            st.sampled_from([None, 1, 2]),
            st.sampled_from(["ref", "vi", "en"]),
        ),
        max_size=8,
    ),
    facts=st.fixed_dictionaries(
        {}, optional={"by_proxy": st.booleans(), "has_vneid": st.booleans()}
    ),
)
def test_received_exactly_when_every_required_document_is_covered(
    desk_catalogue: Catalogue,
    calendar: WorkCalendar,
    handed: list[tuple[Document, str | None, int | None, str]],
    facts: dict[str, bool],
) -> None:
    engine = Engine(
        MemoryStore(), desk_catalogue, calendar, VirtualClock(datetime(2026, 3, 10, 9, tzinfo=VN))
    )
    entries: list[str | dict[str, Any]] = []
    for doc, form, copies, how in handed:
        name = {"ref": doc.ref, "vi": doc.name.vi.upper(), "en": doc.name.en or doc.name.vi}[how]
        if form is None and copies is None:
            entries.append(name)
        else:
            entry: dict[str, Any] = {"name": name}
            if form is not None:
                entry["form"] = form
            if copies is not None:
                entry["copies"] = copies
            entries.append(entry)
    # the rule as the docs state it, worked out here on its own
    lacking = []
    for doc in DOCS:
        if not doc.required:
            continue
        if (doc.when and not facts.get(doc.when)) or (doc.unless and facts.get(doc.unless)):
            continue
        count = sum(
            (c if c is not None else doc.copies)
            for d, f, c, _ in handed
            if d is doc and WORTH[f or doc.form] >= WORTH[doc.form]
        )
        if count < doc.copies:
            lacking.append(doc.ref)
    try:
        slip = engine.receive(PID, actor=DESK, documents=entries, facts=facts)
    except MissingDocuments as exc:
        assert [m.id for m in exc.missing] == lacking
        assert list(engine.store.codes()) == []
        assert [m.id for m in engine.missing_documents(PID, documents=entries, facts=facts)] == (
            lacking
        )
    else:
        assert lacking == []
        recorded = engine.history(slip.code)[0].data["documents"]
        assert [d["id"] for d in recorded] == [doc.ref for doc, *_ in handed]


# --- validation of the procedure's lists ----------------------------------------------------


def _findings(text: str) -> list[tuple[str, tuple[Any, ...]]]:
    return [(f.code, f.path) for f in load_procedure("p.yaml", text=text).findings]


def test_two_documents_with_one_id_are_an_error() -> None:
    # the same name twice derives the same id
    text = PROCEDURE.replace("  - name: Ảnh chân dung", "  - name: Giấy chứng sinh")
    assert ("duplicate-document", ("documents", 5, "name")) in _findings(text)
    # a written id that another document has
    text = PROCEDURE.replace("  - name: Ảnh chân dung", "  - id: to-khai\n    name: Ảnh")
    found = load_procedure("p.yaml", text=text).findings
    dup = [f for f in found if f.code == "duplicate-document"]
    assert [f.path for f in dup] == [("documents", 5, "id")]
    assert dup[0].is_error and "documents[0] already has" in dup[0].message
    assert _findings(PROCEDURE) == []


def test_when_and_unless_on_one_fact_is_an_error() -> None:
    text = PROCEDURE.replace("    when: by_proxy\n", "    when: by_proxy\n    unless: by_proxy\n")
    text = text.replace("    when: online\n", "    when: online\n    unless: online\n")
    assert [c for c in _findings(text) if c[0] == "contradictory-condition"] == [
        ("contradictory-condition", ("documents", 3, "unless")),
        ("contradictory-condition", ("fees", 1, "unless")),
    ]


def test_a_condition_names_a_fact_as_a_branch_does() -> None:
    text = PROCEDURE.replace("when: by_proxy", "when: By Proxy")
    assert ("invalid-id", ("documents", 3, "when")) in _findings(text)


@pytest.mark.parametrize(
    ("name", "derived"),
    [
        ("Tờ khai đăng ký khai sinh", "to-khai-dang-ky-khai-sinh"),
        ("Đơn đề nghị (Mẫu 01)", "don-de-nghi-mau-01"),
        ("1. Bản sao", "doc-1-ban-sao"),
        ("Ảnh 4x6", "anh-4x6"),
    ],
)
def test_an_id_is_derived_from_the_vietnamese_name(name: str, derived: str) -> None:
    assert Document.derive_id(name) == derived
    assert Document(name=name).ref == derived
    assert Document(name=name, id="mine").ref == "mine"


def test_every_shipped_procedures_documents_have_distinct_ids() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "procedures"
    for path in sorted(root.glob("*/*.yaml")):
        result = load_procedure(path)
        assert not [f for f in result.findings if f.code == "duplicate-document"], path
