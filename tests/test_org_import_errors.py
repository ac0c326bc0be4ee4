"""Org chart import errors: every one named with its row (and column), all of them at
once, nothing written; a file that cannot be read is one clear sentence."""

from __future__ import annotations

import pytest

from dudao.org.queries import by_code
from tests.org_import_world import HEADER, csv_bytes, rejected


def test_missing_required_columns_are_named(session, org):
    problems = rejected(session, csv_bytes("code,名称,tags", "N,n,"))
    assert len(problems) == 1
    assert problems[0][0] == 1 and "parent, level" in problems[0][2]


def test_two_columns_with_the_same_meaning(session, org):
    problems = rejected(session, csv_bytes("code,编码,name,parent,level", "N,N,n,G,unit"))
    assert problems == [(1, None, "two columns mean 'code': 'code' and '编码'")]


def test_empty_code_and_name(session, org):
    problems = rejected(session, csv_bytes(HEADER, ",无编码,G,unit", "N2,,G,unit", "N3,ok,G,unit"))
    assert (2, "code", "the code is empty") in problems
    assert (3, "name", "the name is empty") in problems
    assert len(problems) == 2


def test_unknown_level(session, org):
    problems = rejected(session, csv_bytes(HEADER, "N,n,G,department", "N2,n2,G,"))
    assert problems[0][:2] == (2, "level") and "'department'" in problems[0][2]
    assert problems[1][:2] == (3, "level") and "empty" in problems[1][2]


def test_duplicate_codes_name_every_row(session, org):
    problems = rejected(session, csv_bytes(HEADER, "N,n,G,unit", "P,p,G,unit", "N,again,G,unit"))
    assert [(r, c) for r, c, _ in problems] == [(2, "code"), (4, "code")]
    assert "rows 2, 4" in problems[0][2]


def test_unknown_parent(session, org):
    problems = rejected(session, csv_bytes(HEADER, "N,n,NOPE,unit"))
    assert problems == [
        (
            2,
            "parent",
            "unknown parent 'NOPE': no row in the file and no unit in the database has that code",
        )
    ]


def test_cycle_within_the_file(session, org):
    problems = rejected(
        session, csv_bytes(HEADER, "C1,c1,C3,unit", "C2,c2,C1,unit", "C3,c3,C2,unit", "S,s,S,unit")
    )
    assert [(r, c) for r, c, _ in problems] == [
        (2, "parent"),
        (3, "parent"),
        (4, "parent"),
        (5, "parent"),
    ]
    assert "cycle" in problems[0][2] and "C1 → C3 → C2 → C1" in problems[0][2]
    assert "own parent" in problems[3][2]


def test_cycle_with_existing_units_on_reimport(session, org):
    # Moving company A under its own branch A1-1 (already in the database) would be a cycle.
    problems = rejected(session, csv_bytes(HEADER, "A,甲公司,A1-1,company"))
    assert len(problems) == 1 and problems[0][:2] == (2, "parent")
    assert "A → A1-1 → A1 → A" in problems[0][2]
    assert by_code(session, "A").parent.code == "G"


@pytest.mark.parametrize("value", ["many", "-1", "1.5", "9" * 30])  # 30 digits: no overflow
def test_bad_headcount(session, org, value):
    problems = rejected(
        session, csv_bytes("code,name,parent,level,headcount", f"N,n,G,unit,{value}")
    )
    said = f"headcount '{value}' is not a whole number from 0 to 10000000"
    assert problems == [(2, "headcount", said)]


def test_bad_active_value(session, org):
    problems = rejected(session, csv_bytes("code,name,parent,level,active", "N,n,G,unit,maybe"))
    assert problems[0][:2] == (2, "active")


def test_every_bad_row_is_reported_at_once(session, org):
    data = csv_bytes(
        HEADER,
        "OK1,fine,G,unit",
        ",,G,unit",
        "D,d,G,bogus",
        "D,d2,G,unit",
        "U,u,MISSING,unit",
        "A,甲公司,A1,company",
    )
    problems = rejected(session, data)
    assert sorted({row for row, _, _ in problems}) == [3, 4, 5, 6, 7]


@pytest.mark.parametrize(("column", "value"), [("headcount", "abc"), ("active", "maybe")])
def test_a_row_wrong_in_another_cell_still_places_its_children(session, org, column, value):
    """A bad headcount or active on the parent's row does not hide that a company cannot be
    under a unit: both are named at once, not the second once the first is fixed."""
    header = f"code,name,parent,level,{column}"
    problems = rejected(
        session, csv_bytes(header, f"P1,父单位,G,unit,{value}", "P1-1,子公司,P1,company,")
    )
    assert {(row, named) for row, named, _ in problems} == {(2, column), (3, "level")}


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "org.csv", "org.csv is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls", "old Excel 97-2003"),
        (b"PK\x03\x04not really a zip", "org.xlsx", "cannot be read as an XLSX workbook"),
        (b"just text", "org.xlsx", "not a valid XLSX workbook"),
        (b"\x00\x01\x02binary", "org.csv", "not a CSV text file"),
        (b"code,name\n" + b"\xe9t\xe9,x\n", "org.csv", "neither UTF-8 nor GB18030"),
        (b"\n\ncode,name,parent,level\n", "org.csv", "no header row"),
    ],
)
def test_unreadable_files_give_one_clear_sentence(session, org, data, filename, expected):
    problems = rejected(session, data, filename)
    assert len(problems) == 1 and problems[0][0] is None
    assert expected in problems[0][2]
