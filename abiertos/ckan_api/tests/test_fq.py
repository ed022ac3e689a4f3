from datetime import UTC, datetime

import pytest

from abiertos.ckan_api import fq
from abiertos.ckan_api.fq import And, MatchAll, Not, Or, Range, Term


def test_parse_empty_matches_everything():
    assert fq.parse("") == MatchAll()
    assert fq.parse("*:*") == MatchAll()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("organization:la-plata", Term("organization", "la-plata")),
        ('organization:"org-3"', Term("organization", "org-3")),
        ('tags:"gasto público"', Term("tags", "gasto público")),
        ("res_format:CSV", Term("res_format", "CSV")),
        ("+groups:salud", Term("groups", "salud")),
        ("-license_id:cc-zero", Not(Term("license_id", "cc-zero"))),
        ("NOT name:x", Not(Term("name", "x"))),
        ("presupuesto", Term("", "presupuesto")),
    ],
)
def test_parse_single_clauses(text, expected):
    assert fq.parse(text) == expected


def test_parse_juxtaposed_clauses_are_anded_and_or_binds_looser():
    assert fq.parse("organization:a tags:b") == And((Term("organization", "a"), Term("tags", "b")))
    assert fq.parse("tags:a AND tags:b OR tags:c") == Or(
        (And((Term("tags", "a"), Term("tags", "b"))), Term("tags", "c"))
    )


def test_parse_parentheses_and_value_lists():
    assert fq.parse("res_format:(CSV OR XLSX)") == Or((Term("res_format", "CSV"), Term("res_format", "XLSX")))
    assert fq.parse("-(tags:a OR tags:b) organization:x") == And(
        (Not(Or((Term("tags", "a"), Term("tags", "b")))), Term("organization", "x"))
    )


def test_parse_open_range_as_the_ckan_harvester_sends_it():
    node = fq.parse("metadata_modified:[2025-01-01T00:00:00Z TO *]")
    assert node == Range("metadata_modified", datetime(2025, 1, 1, tzinfo=UTC), None)


def test_parse_exclusive_range_and_date_math():
    node = fq.parse("metadata_created:{2025-01-01 TO NOW}")
    assert node.include_low is False
    assert node.include_high is False
    assert node.low == datetime(2025, 1, 1, tzinfo=UTC)
    assert abs((node.high - datetime.now(tz=UTC)).total_seconds()) < 5
    week = fq.parse("metadata_modified:[NOW-7DAYS TO *]")
    assert 6.9 < (datetime.now(tz=UTC) - week.low).days + 0.5 < 7.6


@pytest.mark.parametrize(
    "text",
    [
        "author:x",  # unknown field
        "title:presupuesto",
        "organization:",
        "tags:pres*",
        "presu?",
        "organization:(a",
        "tags:a)",
        "tags:a AND",
        "OR tags:a",
        "name:[a TO b]",  # ranges only on dates
        "metadata_modified:[yesterday TO *]",
        "metadata_modified:[2025-01-01]",
        "metadata_modified:2025",
        '_val_:"recip(ms(NOW,metadata_modified),1,1,1)"',
        "{!func}sum(1,2)",
        "*:x",
        "(" * 30 + "tags:a" + ")" * 30,
        "tags:a " * 400,
    ],
)
def test_parse_rejects_anything_outside_the_subset(text):
    with pytest.raises(fq.SearchQueryError):
        fq.parse(text)


def test_has_field_syntax():
    assert fq.has_field_syntax('organization:"org-3"')
    assert fq.has_field_syntax("*:*")
    assert not fq.has_field_syntax("presupuesto 2025")
    assert not fq.has_field_syntax("¿cuánto gastó? 10:30")
