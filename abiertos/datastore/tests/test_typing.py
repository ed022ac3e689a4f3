"""Column types from sample values, with the number and date notations used in Argentina."""

import pytest

from abiertos.datastore.headers import column_names, header_detect
from abiertos.datastore.typing import ColumnType, NumberFormat, column_type_infer, number_format_detect

AR = NumberFormat(",", ".")
US = NumberFormat(".", ",")


@pytest.mark.parametrize(
    ("values", "fmt", "expected"),
    [
        (["06441", "06056"], AR, ColumnType("string")),
        (["1.234.567,89", "-12,5", "0,00", ""], AR, ColumnType("number")),
        (["1.500", "7", "s/d"], AR, ColumnType("integer")),
        (["1,234.56", "3"], US, ColumnType("number")),
        (["31/12/2024", "1/2/2023"], AR, ColumnType("date", "%d/%m/%Y")),
        (["12/31/2024", "01/02/2023"], AR, ColumnType("date", "%m/%d/%Y")),
        (["31-12-2024"], AR, ColumnType("date", "%d-%m-%Y")),
        (["31/02/2024"], AR, ColumnType("string")),
        (["2024-12-31T10:00:00Z", "2024-01-01 00:00"], AR, ColumnType("datetime", "")),
        (["31/12/2024 23:59", "01/01/2024 08:00"], AR, ColumnType("datetime", "%d/%m/%Y %H:%M")),
        (["08:30", "17:45:10"], AR, ColumnType("time")),
        (["true", "FALSE", "Verdadero"], AR, ColumnType("boolean")),
        (["", "-", "N/A"], AR, ColumnType("string")),
        (["12", "abc"], AR, ColumnType("string")),
    ],
)
def test_column_type_infer(values, fmt, expected):
    assert column_type_infer(values, fmt) == expected


def test_number_format_detect_prefers_the_argentine_notation_when_it_sees_it():
    assert number_format_detect(["1.234.567", "2,5"], delimiter=";") == NumberFormat(",", ".")
    assert number_format_detect(["1,234.5", "3.25"], delimiter=",") == NumberFormat(".", ",")
    assert number_format_detect(["8.393", "996"], delimiter=",") == NumberFormat(".", "", ambiguous=True)


def test_header_detect_skips_title_rows_and_blank_lines():
    rows = [["Presupuesto 2024", "", ""], ["", "", ""], ["partida", "monto", "fecha"], ["Salud", "10", "1/1/2024"]]
    assert header_detect(rows) == 2


def test_header_detect_sees_a_file_without_header():
    assert header_detect([["1", "2,5", "3/1/2024"], ["2", "3", "4/1/2024"]]) is None


def test_column_names_are_unique_trimmed_and_never_empty():
    assert column_names([" Monto  total ", "monto total", ""], 4) == [
        "Monto total",
        "monto total_2",
        "columna_3",
        "columna_4",
    ]
