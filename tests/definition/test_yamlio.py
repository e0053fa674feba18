"""The strict YAML reader: what stays a string, what is refused, and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from procflow.definition import yamlio
from procflow.definition.yamlio import MAX_BYTES, parse_yaml, read_yaml


def _data(text: str) -> object:
    doc = parse_yaml(text, file="t.yaml")
    assert doc.findings == []
    return doc.data


def _codes(text: str | bytes) -> list[tuple[str, int | None]]:
    doc = parse_yaml(text, file="t.yaml")
    assert doc.data is None
    return [(f.code, f.line) for f in doc.findings]


def test_libyaml_is_used_here() -> None:
    assert yamlio.WITH_LIBYAML


@pytest.mark.parametrize("word", ["no", "No", "NO", "on", "off", "yes", "y", "n", "Y", "N"])
def test_yaml11_booleans_stay_strings_as_values_and_keys(word: str) -> None:
    assert _data(f"a: {word}\n{word}: b\n") == {"a": word, word: "b"}


def test_only_true_and_false_are_booleans() -> None:
    assert _data("a: true\nb: false\nc: True\nd: FALSE\n") == {
        "a": True,
        "b": False,
        "c": True,
        "d": False,
    }


def test_keys_are_always_strings() -> None:
    assert _data("1: a\ntrue: b\nnull: c\n") == {"1": "a", "true": "b", "null": "c"}


def test_dates_and_times_stay_strings() -> None:
    data = _data("d: 2025-07-01\nt: 2025-07-01T08:00:00\nc: 15:00\ns: 1:30:00\n")
    assert data == {"d": "2025-07-01", "t": "2025-07-01T08:00:00", "c": "15:00", "s": "1:30:00"}


def test_numbers_null_and_quoted_values() -> None:
    data = _data(
        "i: 3\nn: -4\nf: 0.25\ne: 1e3\nz: ~\nempty:\nq: '3'\ndq: \"true\"\ns: !!str 12\n"
        "lead: 007\nsep: 1_000\ninf: .inf\nnan: .nan\nhex: 0x1F\n"
    )
    assert data == {
        "i": 3,
        "n": -4,
        "f": 0.25,
        "e": 1000.0,
        "z": None,
        "empty": None,
        "q": "3",
        "dq": "true",
        "s": "12",
        "lead": "007",
        "sep": "1_000",
        "inf": ".inf",
        "nan": ".nan",
        "hex": "0x1F",
    }
    assert isinstance(data, dict)
    assert type(data["i"]) is int and type(data["f"]) is float


def test_vietnamese_round_trips_exactly() -> None:
    text = "Đăng ký khai sinh, thường trú, cấp thẻ BHYT — Ủy ban nhân dân xã Hòa Bình ờ ữ ỹ"
    # NFD (decomposed) text must not be normalised either.
    import unicodedata

    nfd = unicodedata.normalize("NFD", text)
    raw = f'a: {text}\nb: "{nfd}"\n'.encode()
    doc = parse_yaml(raw)
    assert doc.data == {"a": text, "b": nfd}


def test_byte_order_mark_is_dropped() -> None:
    assert parse_yaml("\ufeffa: 1\n".encode()).data == {"a": 1}


def test_aliases_are_refused_with_their_position() -> None:
    doc = parse_yaml("a: &x [1, 2]\nb: *x\n", file="t.yaml")
    assert doc.data is None
    (finding,) = doc.findings
    assert finding.code == "yaml-alias"
    assert (finding.line, finding.column) == (2, 4)
    assert "aliases (*x) are not allowed in procedure files; write the value out" in (
        finding.message
    )


def test_alias_bomb_is_refused_fast() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    assert _codes("\n".join(lines) + "\n") == [("yaml-alias", 2)]


def test_merge_keys_need_aliases_and_are_refused() -> None:
    assert _codes("base: &b {x: 1}\nother:\n  <<: *b\n") == [("yaml-alias", 3)]


@pytest.mark.parametrize(
    "text",
    [
        'a: !!python/object/apply:os.system ["echo hacked"]\n',
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!timestamp 2025-01-01\n",
        "a: !!int 3\n",
        "a: !custom {x: 1}\n",
        "a: !!set {x}\n",
    ],
)
def test_tags_are_refused(text: str) -> None:
    assert _codes(text) == [("yaml-tag", 1)]


def test_duplicate_keys_name_both_lines() -> None:
    doc = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", file="t.yaml")
    assert [(f.code, f.line) for f in doc.findings] == [
        ("duplicate-key", 4),
        ("duplicate-key", 5),
    ]
    assert "line 3 and on line 4" in doc.findings[0].message
    assert "line 1 and on line 5" in doc.findings[1].message
    assert doc.findings[0].path == ("b", "c")


def test_multiple_documents_are_refused() -> None:
    assert _codes("a: 1\n---\nb: 2\n") == [("yaml-multiple-documents", 2)]


def test_a_single_explicit_document_is_fine() -> None:
    assert _data("---\na: 1\n...\n") == {"a": 1}


def test_size_limit(tmp_path: Path) -> None:
    big = "a: " + "x" * MAX_BYTES + "\n"
    assert _codes(big) == [("file-too-large", None)]
    path = tmp_path / "big.yaml"
    path.write_text(big)
    doc = read_yaml(path)
    assert [f.code for f in doc.findings] == ["file-too-large"]
    assert "1,048,576 bytes" in doc.findings[0].message
    assert parse_yaml("a: 1\n", max_bytes=3).findings[0].code == "file-too-large"


def test_non_utf8_names_offset_and_line() -> None:
    doc = parse_yaml(b"a: 1\nname: Th" + b"\xfd\n", file="t.yaml")
    (finding,) = doc.findings
    assert finding.code == "yaml-encoding"
    assert (finding.line, finding.column) == (2, 9)
    assert "offset 13" in finding.message and "0xFD" in finding.message


def test_syntax_errors_become_findings_with_position() -> None:
    doc = parse_yaml("a: 1\nb: [1, 2\nc: 3\n", file="t.yaml")
    (finding,) = doc.findings
    assert finding.code == "yaml-syntax"
    assert finding.line is not None and finding.column is not None
    assert "Traceback" not in str(finding)


def test_tabs_get_a_specific_hint() -> None:
    doc = parse_yaml("a:\n\tb: 1\n")
    assert doc.findings[0].code == "yaml-syntax"
    assert doc.findings[0].line == 2
    assert "tab" in (doc.findings[0].hint or "")


def test_control_characters_are_reported() -> None:
    doc = parse_yaml("a: b\x07c\n")
    assert [(f.code, f.line) for f in doc.findings] == [("yaml-syntax", 1)]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 300_000 + "]" * 300_000,  # libyaml's recursive composer crashed near 500,000
        "[" * 1_500 + "]" * 1_500,  # libyaml >= 0.2.6's scanner stops at 1,000 levels
        "a:\n  b: " + "{x: " * 1_200 + "1" + "}" * 1_200 + "\n",
        "- " * 2_000 + "x\n",  # block nesting
        "a: " + "[" * 100 + "]" * 100 + "\n",  # under every libyaml limit: procflow's own
    ],
    ids=["flow-300000", "flow-1500", "mapping-1200", "block-2000", "flow-100"],
)
def test_deep_nesting_is_refused_without_crashing(text: str) -> None:
    """Whichever PyYAML/libyaml is installed, too deep is ``yaml-too-deep`` with a place."""
    doc = parse_yaml(text, file="t.yaml")
    assert doc.data is None
    [finding] = doc.findings
    assert finding.code == "yaml-too-deep"
    assert finding.file == "t.yaml"
    assert finding.line is not None and finding.line >= 1
    assert finding.column is not None and finding.column >= 1


def test_complex_keys_are_refused() -> None:
    assert _codes("? [a, b]\n: 1\n") == [("yaml-complex-key", 1)]


def test_empty_document() -> None:
    doc = parse_yaml("# only a comment\n")
    assert doc.data is None and doc.findings == []


def test_unreadable_file_is_a_finding(tmp_path: Path) -> None:
    doc = read_yaml(tmp_path / "missing.yaml")
    assert [f.code for f in doc.findings] == ["file-unreadable"]


def test_source_map_keys_and_values() -> None:
    doc = parse_yaml("a:\n  b: [1, {c: 2}]\n  list:\n    - x\n    - y: 1\n")
    smap = doc.source_map
    assert smap.value(("a", "b", 1, "c")) == (2, 14)
    assert smap.key(("a", "b")) == (2, 3)
    assert smap.value(("a", "list", 1, "y")) == (5, 10)
    # collections point at their key, scalars at their value
    assert smap.locate(("a", "list")) == (3, 3)
    assert smap.locate(("a", "b", 0)) == (2, 7)
    # unknown paths fall back to the nearest ancestor
    assert smap.locate(("a", "list", 7, "z")) == (3, 3)
    assert ("a", "b") in smap and ("zz",) not in smap
