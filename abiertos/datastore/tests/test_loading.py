"""Detection and load of generated files: Argentine formats, mixed encodings, spreadsheet bombs."""

import zipfile
from datetime import date

import duckdb
import openpyxl
import pytest

from abiertos.datastore import encodings
from abiertos.datastore.detection import detect
from abiertos.datastore.loading import load_to_parquet
from abiertos.datastore.options import IngestionSettings
from abiertos.datastore.problems import IngestionProblem


def _load(path, tmp_path, overrides=None):
    detection = detect(path=path, name=path.name, overrides=overrides)
    target = tmp_path / "out.parquet"
    result = load_to_parquet(path=path, detection=detection, target=target, progress=lambda *a: None)
    return detection, result, duckdb.sql(f"SELECT * FROM read_parquet('{target}')").fetchall()


def test_load_reads_argentine_numbers_day_first_dates_and_title_rows(tmp_path):
    path = tmp_path / "gastos.csv"
    path.write_bytes(
        "Ejecución presupuestaria 2024\n\n"
        "partido;programa;monto;fecha;cantidad\n"
        "06441;Salud;1.234.567,89;31/12/2024;1.500\n"
        "06056;Educación;-12,5;01/02/2024;7\n".encode("cp1252")
    )
    detection, result, rows = _load(path, tmp_path)
    assert detection.settings["header_row"] == 3
    assert (detection.settings["encoding"], detection.settings["delimiter"]) == ("cp1252", ";")
    assert (detection.settings["decimal_separator"], detection.settings["thousands_separator"]) == (",", ".")
    assert [(c["name"], c["type"]) for c in result.columns] == [
        ("partido", "string"),
        ("programa", "string"),
        ("monto", "number"),
        ("fecha", "date"),
        ("cantidad", "integer"),
    ]
    assert rows == [
        ("06441", "Salud", 1234567.89, date(2024, 12, 31), 1500),
        ("06056", "Educación", -12.5, date(2024, 2, 1), 7),
    ]


def test_load_handles_a_file_that_changes_encoding_after_the_first_kilobytes(tmp_path):
    path = tmp_path / "mixto.csv"
    head = "nombre,monto\n" + "".join(f"Muñoz {i},{i}\n" for i in range(800))
    assert len(head.encode()) > 10_000
    path.write_bytes(head.encode("utf-8") + "Peña €,5\nCañuelas,6\n".encode("cp1252"))
    assert encodings.encoding_scan(path).encoding == encodings.MIXED
    _detection, result, rows = _load(path, tmp_path)
    assert result.encoding_used == encodings.MIXED
    assert rows[0] == ("Muñoz 0", 0)
    assert rows[-2:] == [("Peña €", 5), ("Cañuelas", 6)]


def test_load_falls_back_to_text_when_a_later_row_contradicts_the_sample(tmp_path, monkeypatch):
    monkeypatch.setattr("abiertos.datastore.detection.SAMPLE_ROWS", 10)
    path = tmp_path / "largo.csv"
    path.write_text("id,valor\n" + "".join(f"{i},{i}\n" for i in range(50)) + "51,s/n\n", encoding="utf-8")
    _detection, result, _rows = _load(path, tmp_path)
    assert {c["name"]: c["type"] for c in result.columns} == {"id": "integer", "valor": "string"}
    assert "fila 52" in result.degraded[0]
    assert "«s/n»" in result.degraded[0]


def test_load_with_a_forced_type_reports_the_row_and_column_in_spanish(tmp_path):
    path = tmp_path / "forzado.csv"
    path.write_text("id,valor\n1,10\n2,diez\n", encoding="utf-8")
    with pytest.raises(IngestionProblem) as failed:
        _load(path, tmp_path, IngestionSettings(column_types={"valor": "integer"}))
    assert (failed.value.row, failed.value.column) == (3, "valor")
    assert failed.value.message.startswith("Fila 3, columna «valor»: el valor «diez» no es un número entero")


def test_publisher_corrections_override_detection(tmp_path):
    path = tmp_path / "datos.txt"
    path.write_text("a|b\n1,5|x\n", encoding="utf-8")
    overrides = IngestionSettings(delimiter="|", decimal_separator=",", column_types={"b": "string"})
    detection, _result, rows = _load(path, tmp_path, overrides)
    assert detection.settings["delimiter"] == "|"
    assert rows == [(1.5, "x")]


def test_ods_disguised_as_csv_is_read_as_ods_with_a_warning(tmp_path, settings):
    source = settings.BASE_DIR.parent / "shared" / "data" / "tabular" / "presupuesto_2017_por_finalidad_funcion.ods"
    path = tmp_path / "presupuesto.csv"
    path.write_bytes(source.read_bytes())
    detection, result, _rows = _load(path, tmp_path)
    assert detection.kind == "ods"
    assert "extensión .csv pero en realidad es una planilla de LibreOffice (ODS)" in detection.warnings[0]
    assert result.row_count == 36


def test_html_saved_as_csv_is_refused(tmp_path):
    path = tmp_path / "datos.csv"
    path.write_text("<!DOCTYPE html><html><body>No encontrado</body></html>", encoding="utf-8")
    with pytest.raises(IngestionProblem, match="es una página web"):
        detect(path=path, name=path.name)


def test_file_beyond_the_size_limit_is_refused(tmp_path, settings):
    from abiertos.datastore.limits import size_check

    settings.DATASTORE_MAX_BYTES = 100
    path = tmp_path / "grande.csv"
    path.write_text("a\n" + "1\n" * 100)
    with pytest.raises(IngestionProblem, match="el máximo que se puede cargar") as refused:
        size_check(path)
    assert refused.value.reason == "too_big"


def _xlsx_declaring(tmp_path, dimension: str):
    path = tmp_path / "bomba.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["a", "b"])
    workbook.save(path)
    rewritten = tmp_path / "bomba2.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B1" />', f'<dimension ref="{dimension}" />'.encode())
            target.writestr(item, data)
    return rewritten


@pytest.mark.parametrize(
    ("dimension", "says"),
    [("A1:XFD1048576", "declara 16384 columnas"), ("A1:Z2000000", "declara 2000000 filas por 26 columnas")],
)
def test_xlsx_declaring_a_huge_sheet_is_refused_before_opening(tmp_path, dimension, says):
    path = _xlsx_declaring(tmp_path, dimension)
    with pytest.raises(IngestionProblem, match=says) as refused:
        detect(path=path, name="bomba.xlsx")
    assert refused.value.reason == "bomb"


def test_xlsx_that_expands_beyond_the_uncompressed_limit_is_refused(tmp_path, settings):
    settings.DATASTORE_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    path = tmp_path / "zip.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["a"])
    workbook.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/relleno.bin", b"\0" * (2 * 1024 * 1024))
    assert path.stat().st_size < 100 * 1024
    with pytest.raises(IngestionProblem, match="al descomprimirla") as refused:
        detect(path=path, name="zip.xlsx")
    assert refused.value.reason == "bomb"


def test_every_sheet_is_listed_and_another_one_can_be_chosen(tmp_path):
    path = tmp_path / "libro.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Resumen"
    workbook.active.append(["total"])
    workbook.active.append([3])
    detail = workbook.create_sheet("Detalle")
    detail.append(["fecha", "monto"])
    detail.append([date(2024, 3, 1), 10.5])
    workbook.save(path)
    detection, result, rows = _load(path, tmp_path, IngestionSettings(sheet="Detalle"))
    assert detection.settings["sheets"] == ["Resumen", "Detalle"]
    assert [(c["name"], c["type"]) for c in result.columns] == [("fecha", "date"), ("monto", "number")]
    assert rows == [(date(2024, 3, 1), 10.5)]


def test_geojson_features_become_rows_with_a_geometry_column(tmp_path):
    path = tmp_path / "puntos.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"nombre": "Plaza", "id": 1},'
        ' "geometry": {"type": "Point", "coordinates": [-57.95, -34.92]}}]}',
        encoding="utf-8",
    )
    detection, result, rows = _load(path, tmp_path)
    assert detection.kind == "geojson"
    assert [(c["name"], c["type"]) for c in result.columns] == [
        ("nombre", "string"),
        ("id", "integer"),
        ("geometry", "geometry"),
    ]
    assert rows[0][:2] == ("Plaza", 1)
    assert '"Point"' in rows[0][2]


def test_json_array_of_objects_becomes_a_table_with_the_union_of_keys(tmp_path):
    path = tmp_path / "obras.json"
    path.write_text(
        '[{"obra": "Plaza", "monto": 1500.5, "inicio": "2024-03-01"},'
        ' {"obra": "Calle", "monto": 20, "tags": ["asfalto"]}]',
        encoding="utf-8",
    )
    _detection, result, rows = _load(path, tmp_path)
    assert [(c["name"], c["type"]) for c in result.columns] == [
        ("obra", "string"),
        ("monto", "number"),
        ("inicio", "date"),
        ("tags", "string"),
    ]
    assert rows == [("Plaza", 1500.5, date(2024, 3, 1), None), ("Calle", 20.0, None, '["asfalto"]')]


def test_malformed_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "roto.json"
    path.write_text('[{"a": 1},\n{"a": }]', encoding="utf-8")
    with pytest.raises(IngestionProblem, match="El JSON está mal formado en la línea 2") as refused:
        detect(path=path, name=path.name)
    assert refused.value.row == 2
