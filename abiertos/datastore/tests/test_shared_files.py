"""Every real file in ../shared/data/tabular/: it loads with these columns and types, or is refused for this reason."""

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from django.conf import settings

from abiertos.datastore.detection import detect
from abiertos.datastore.loading import load_to_parquet
from abiertos.datastore.problems import IngestionProblem

TABULAR = Path(settings.BASE_DIR).parent / "shared" / "data" / "tabular"


@dataclass
class Expected:
    path: str
    rows: int | None = None
    width: int | None = None
    types: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    reason: str = ""
    says: str = ""
    row: int | None = None


def loads(path, *, rows, width, types, **settings_expected):
    return Expected(path, rows=rows, width=width, types=types, settings=settings_expected)


def refused(path, *, reason, says, row=None):
    return Expected(path, reason=reason, says=says, row=row)


CASES = [
    # Unquoted decimal commas with a comma delimiter: "16.224.895,41" splits in two cells. Repairing it
    # would mean guessing where a program's name ends, so it is refused, with the row and a hint.
    refused(
        "gastos_por_programa_2019_BROKEN_unquoted_decimal_commas.csv",
        reason="ragged",
        says="La fila 3 tiene 12 columnas, pero el encabezado tiene 6. Parece que los números usan coma decimal",
        row=3,
    ),
    loads(
        "obras_urbanas_caba_2022_utf8bom_semicolon.csv",
        rows=1308,
        width=36,
        # monto_contrato mixes "$638,976,998", "Â 6595600" and "##########"; lat has "############";
        # fecha_inicio has "a definir": honest text, not numbers with holes.
        types={"ID": "integer", "licitacion_anio": "integer", "nombre": "string", "monto_contrato": "string"},
        encoding="utf-8",
        delimiter=";",
    ),
    loads(
        "presupuesto_2017_por_finalidad_funcion.csv",
        rows=36,
        width=17,
        types={"Nivel": "integer", "Clasificación por finalidad y función": "string", "Total": "integer"},
        delimiter=",",
    ),
    loads(
        "presupuesto_2017_por_finalidad_funcion.ods",
        rows=36,
        width=17,
        types={"Nivel": "integer", "Clasificación por finalidad y función": "string", "Modernizacion": "integer"},
        sheet="presupuesto-2017-por-finalidad-y-funcion",
    ),
    loads(
        "presupuesto_2017_por_objeto_del_gasto_semicolon_blankrows.csv",
        rows=190,
        width=17,
        types={"Nivel": "integer", "Nombre": "string", "Total": "integer", "Salud": "integer"},
        delimiter=";",
    ),
    # A report, not a table: seven title rows, then a header split over three rows. Row 8 is the one
    # with a name for every column; the "COMISIÓN"/"GASTOS" header rows below it make those columns text.
    loads(
        "stock_deuda_planilla_C_2024-12-31.xlsx",
        rows=52,
        width=16,
        types={"ORGANISMO ACREEDOR": "string", "2024-12-31": "number", "AMORTIZ.": "number", "INTERESES": "string"},
        header_row=8,
        sheet="Planilla C ",
    ),
    loads(
        "messy/boston_311_sample.csv",
        rows=3,
        width=29,
        types={"CASE_ENQUIRY_ID": "integer", "open_dt": "datetime", "pwd_district": "string", "Latitude": "number"},
    ),
    loads(
        "messy/brazilian_sample.csv",
        rows=10,
        width=95,
        types={
            "NU_ANO_CENSO": "datetime",
            "CO_MUNICIPIO": "integer",
            "MUNIC": "string",
            "SCHOOLS_INTERNET_AVG": "number",
        },
    ),
    # "8.393" and "996" in one column: thousands or decimals? Read with "." as decimal, and flagged.
    loads(
        "messy/cobertura_hogares_agua_por_provincia_ambiguous_decimals.csv",
        rows=2,
        width=26,
        types={"indice_tiempo": "integer", "cob_hog_agua_arg": "number", "cob_hog_agua_2": "integer"},
        ambiguous_decimals=True,
        decimal_separator=".",
    ),
    # Four date notations in one column: not a date column.
    loads(
        "messy/date_formats.csv", rows=4, width=3, types={"date": "string", "temperature": "number", "place": "string"}
    ),
    refused("messy/elecciones-2013_IS_ACTUALLY_PDF.csv", reason="pdf", says="es un PDF"),
    loads(
        "messy/german_sample.csv",
        rows=7,
        width=10,
        types={"Stadtname": "string", "Schüler_Total_2010/2011": "integer"},
        delimiter=";",
    ),
    # The last ID is "*": the column stays text rather than losing that row.
    loads(
        "messy/go-realtime.xlsx",
        rows=48,
        width=6,
        types={"Company-GO-ID": "string", "Company name": "string"},
        sheet="Realtime",
        sheets=["Realtime", "Tabelle1"],
    ),
    loads(
        "messy/mixed_numeric_string_sample.csv",
        rows=6,
        width=4,
        types={"Maximum (indicative) grant amount": "string", "Some mixed integers": "integer"},
    ),
    # A header and no rows is an empty table, not an error; with no values every column is text.
    loads("messy/no_entries.csv", rows=0, width=7, types={"OBJECTID": "string", "PCT_AREA": "string"}),
    loads(
        "messy/non_utf8_sample.csv",
        rows=266,
        width=6,
        types={"ClientId_ActNo": "integer", "Owner": "string", "Amount": "number", "DateRec": "datetime"},
        encoding="cp1252",
    ),
    refused("messy/registro-unico-organizaciones_EMPTY_0_bytes.csv", reason="empty", says="vacío"),
    loads(
        "messy/sample_with_blanks.csv",
        rows=3,
        width=4,
        types={"Opening date": "date", "Service ID": "integer", "Funding agency": "string"},
    ),
    loads(
        "messy/sample_with_empty_lines.csv",
        rows=6,
        width=3,
        types={"date": "date", "temperature": "integer", "place": "string"},
    ),
    # Fifteen trailing columns with no name and no value are left out (listed in ignored_columns).
    loads(
        "messy/sample_with_extra_blank_cells.csv",
        rows=1,
        width=17,
        types={"Award contract date": "date", "Contract value": "string"},
        ignored_columns=list(range(18, 33)),
    ),
    loads(
        "messy/sample_with_mixed_quotes.csv",
        rows=2,
        width=20,
        types={"Actual start date": "date", "Percentage complete": "integer", "Category name": "string"},
    ),
    loads(
        "messy/sample_with_quoted_commas.csv",
        rows=3,
        width=4,
        types={"Program title": "string", "Opening date": "date", "Service ID": "integer"},
    ),
    loads("messy/simple.csv", rows=6, width=3, types={"date": "date", "temperature": "integer", "place": "string"}),
    loads("messy/simple.xls", rows=6, width=3, types={"date": "date", "temperature": "integer", "place": "string"}),
    refused("messy/umlaut_and_extra_comma.csv", reason="ragged", says="La fila 4 tiene 3 columnas", row=4),
]


def _load(path: Path, tmp_path: Path):
    detection = detect(path=path, name=path.name)
    result = load_to_parquet(path=path, detection=detection, target=tmp_path / "t.parquet", progress=lambda *a: None)
    return detection, result


@pytest.mark.parametrize("case", CASES, ids=[c.path for c in CASES])
def test_shared_file_loads_or_is_refused(case, tmp_path):
    path = TABULAR / case.path
    if case.reason:
        with pytest.raises(IngestionProblem) as refused_with:
            _load(path, tmp_path)
        assert refused_with.value.reason == case.reason
        assert case.says in refused_with.value.message
        assert refused_with.value.row == case.row
        return
    detection, result = _load(path, tmp_path)
    types = {c["name"]: c["type"] for c in result.columns}
    assert {name: types.get(name) for name in case.types} == case.types
    assert len(result.columns) == case.width
    assert result.row_count == case.rows
    assert {key: detection.settings.get(key) for key in case.settings} == case.settings
    stored = duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path / 't.parquet'}')")
    assert stored.columns == [c["name"] for c in result.columns]


def test_every_shared_tabular_file_has_a_case():
    on_disk = {str(p.relative_to(TABULAR)) for p in TABULAR.rglob("*") if p.is_file()}
    assert on_disk == {c.path for c in CASES}


def test_shared_argentine_semicolon_file_keeps_its_numbers(tmp_path):
    _detection, _result = _load(TABULAR / "presupuesto_2017_por_objeto_del_gasto_semicolon_blankrows.csv", tmp_path)
    first = duckdb.sql(f'SELECT "Nombre", "Total" FROM read_parquet(\'{tmp_path / "t.parquet"}\') LIMIT 2').fetchall()
    assert first == [("Total General ", 20088528457), ("Erogaciones Corrientes", 13511087020)]


def test_shared_cp1252_file_reads_accents(tmp_path):
    _load(TABULAR / "messy" / "non_utf8_sample.csv", tmp_path)
    owners = duckdb.sql(f"SELECT \"Owner\" FROM read_parquet('{tmp_path / 't.parquet'}')").fetchall()
    assert any("Ú" in owner for (owner,) in owners if owner)
