"""Reading territory files and reconciling them with stored municipalities (no writes here)."""

from pathlib import Path

import pytest
from django.conf import settings

from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality
from abiertos.core.territory import (
    DEFAULT_TERRITORY_FILE,
    TerritoryRow,
    code_normalize,
    name_key,
    name_match,
    slug_unique,
    territory_reconcile,
)
from abiertos.core.territory_sources import alias_option_parse, aliases_file_read, territory_file_read
from abiertos.core.tests.factories import municipality_make, province_make

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "territory"


def _existing() -> list[Municipality]:
    return list(Municipality.objects.select_related("province"))


def _reconcile(rows, aliases=None):
    return territory_reconcile(rows=rows, province_code="06", existing=_existing(), aliases=aliases or {})


def test_code_normalize_adds_dropped_leading_zero_with_a_warning():
    code, warning = code_normalize("6007")
    assert code == "06007"
    assert "«6007» no tiene ceros iniciales" in warning
    assert "06007" in warning


def test_code_normalize_keeps_full_codes_and_spreadsheet_floats():
    assert code_normalize("06441") == ("06441", "")
    assert code_normalize(" 06441 ") == ("06441", "")
    assert code_normalize("6441.0")[0] == "06441"


def test_name_key_ignores_accents_case_and_punctuation():
    assert name_key("José C. Paz") == "jose c paz"
    assert name_key("  MORÓN ") == "moron"


def test_name_match_tells_exact_variant_synonym_and_different():
    assert name_match("La Plata", "La Plata", "06") == "exact"
    assert name_match("LA PLATA", "La Plata", "06") == "variant"
    assert name_match("General San Martín", "Ciudad Libertador San Martín", "06") == "synonym"
    assert name_match("Ezeiza", "José M. Ezeiza", "06") == "synonym"
    assert name_match("Coronel Rosales", "Coronel de Marina Leonardo Rosales", "06") == "synonym"
    assert name_match("Morón", "Moreno", "06") is None
    # The synonym table is per province: elsewhere «General San Martín» is its own name.
    assert name_match("General San Martín", "Ciudad Libertador San Martín", "14") is None


def test_slug_unique_builds_slugs_from_names_and_adds_the_code_on_collision():
    taken: set[str] = set()
    assert slug_unique("9 de Julio", "06588", taken) == "9-de-julio"
    assert slug_unique("José C. Paz", "06412", taken) == "jose-c-paz"
    assert slug_unique("La Plata", "06441", taken) == "la-plata"
    assert slug_unique("La Plata", "14999", taken) == "la-plata-14999"


def test_territory_file_read_bundled_file_has_135_partidos_with_zeros():
    rows, warnings = territory_file_read(DEFAULT_TERRITORY_FILE)
    assert warnings == []
    assert len(rows) == 135
    la_plata = next(r for r in rows if r.name == "La Plata")
    assert (la_plata.code, la_plata.full_name) == ("06441", "Partido de La Plata")
    assert la_plata.centroid_lat == pytest.approx(-35.0, abs=0.2)
    assert all(len(r.code) == 5 and r.code.startswith("06") for r in rows)
    assert len({r.code for r in rows}) == 135


def test_territory_file_read_detects_georef_column_names_of_the_shared_csv():
    rows, _ = territory_file_read(SHARED / "partidos_pba.csv")
    assert len(rows) == 135
    assert {r.code: r.name for r in rows}["06217"] == "Chascomús"


def test_territory_file_read_geojson_reads_nested_properties():
    rows, _ = territory_file_read(SHARED / "partidos_pba.geojson")
    la_plata = next(r for r in rows if r.code == "06441")
    assert la_plata.name == "La Plata"
    assert la_plata.province_code == "06"
    assert la_plata.centroid_lon == pytest.approx(-58.0, abs=0.3)


def test_territory_file_read_semicolon_cp1252_and_decimal_commas(tmp_path):
    path = tmp_path / "viejo.csv"
    path.write_bytes("codigo;nombre;lat;lon\n6218;Chascomús;-35,62;-57,9\n".encode("cp1252"))
    rows, warnings = territory_file_read(path)
    assert (rows[0].code, rows[0].name, rows[0].centroid_lat) == ("06218", "Chascomús", -35.62)
    messages = " ".join(w.message for w in warnings)
    assert "Windows-1252" in messages
    assert "«6218» no tiene ceros iniciales" in messages


def test_territory_file_read_explicit_fields_and_bad_values(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("cod,partido,y\n06441,La Plata,abc\n,Sin Código,1\n", encoding="utf-8")
    rows, warnings = territory_file_read(path, fields={"code": "cod", "name": "partido", "centroid_lat": "y"})
    assert [r.code for r in rows] == ["06441"]
    assert rows[0].centroid_lat is None
    assert any(w.line == 2 and "La latitud «abc» no es válida" in w.message for w in warnings)
    assert any(w.line == 3 and "no tiene código o nombre" in w.message for w in warnings)


def test_territory_file_read_skips_codes_and_names_too_long_to_store(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(f"code,name\n060441060441,La Plata\n06441,{'x' * 121}\n06007,Adolfo Alsina\n", encoding="utf-8")
    rows, warnings = territory_file_read(path)
    assert [r.code for r in rows] == ["06007"]
    assert [w.line for w in warnings] == [2, 3]
    assert "demasiado largo; se omite" in warnings[0].message


def test_territory_file_read_geojson_with_geometries_points_to_import_boundaries():
    _, warnings = territory_file_read(SHARED / "partidos_pba.geojson")
    assert [w.message for w in warnings] == [
        "el archivo trae geometrías, que aquí no se cargan; para los límites usá import_boundaries."
    ]


def test_territory_file_read_names_the_missing_column(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        territory_file_read(path)
    assert "No encontré la columna del código" in exc.value.message
    assert "foo, bar" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        territory_file_read(path, fields={"code": "foo", "name": "nombre"})
    assert "La columna «nombre» no está en el archivo" in exc.value.message


def test_territory_file_read_rejects_broken_json_saying_where(tmp_path):
    path = tmp_path / "roto.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [\n{"a": }]}', encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        territory_file_read(path)
    assert "no es un GeoJSON válido" in exc.value.message
    assert "línea 2" in exc.value.message


def test_territory_file_read_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValidationError) as exc:
        territory_file_read(tmp_path / "no-esta.csv")
    assert "No existe el archivo" in exc.value.message


def test_aliases_file_and_option_parse():
    aliases = aliases_file_read(DEFAULT_TERRITORY_FILE.parent / "aliases_pba.csv")
    assert [(a.code, a.municipality_code) for a in aliases] == [("06217", "06218")]
    alias = alias_option_parse("6217=06218")
    assert (alias.code, alias.municipality_code) == ("06217", "06218")
    with pytest.raises(ValidationError) as exc:
        alias_option_parse("06217")
    assert "CÓDIGO_VIEJO=CÓDIGO_GUARDADO" in exc.value.message


@pytest.mark.django_db
def test_territory_reconcile_code_of_another_name_is_a_conflict():
    municipality_make("Moreno", code="06560")
    municipality_make("Morón", code="06568")
    plan = _reconcile([TerritoryRow(line=2, code="06560", name="Morón")])
    assert plan.creations == []
    assert plan.updates == []
    [conflict] = plan.report.conflicts
    assert conflict.line == 2
    assert "el código 06560 es de «Moreno», pero el archivo lo usa para «Morón»" in conflict.message
    assert "«Morón» ya está guardado con el código 06568" in conflict.message
    assert plan.report.missing == []


@pytest.mark.django_db
def test_territory_reconcile_known_name_under_an_old_code_is_a_conflict_with_alias_hint():
    municipality_make("Chascomús", code="06218")
    plan = _reconcile([TerritoryRow(line=5, code="06217", name="Chascomús")])
    assert plan.creations == []
    [conflict] = plan.report.conflicts
    assert "ya está guardado como «Chascomús» con el código 06218" in conflict.message
    assert "--alias 06217=06218" in conflict.message


@pytest.mark.django_db
def test_territory_reconcile_through_an_alias_matches_and_reports_it():
    municipality_make("Chascomús", code="06218")
    plan = _reconcile([TerritoryRow(line=5, code="06217", name="Chascomús")], aliases={"06217": "06218"})
    assert plan.report.conflicts == []
    assert [e.code for e in plan.report.unchanged] == ["06218"]
    assert "coincidencia por alias: el código 06217 del archivo es 06218" in plan.report.warnings[0].message


@pytest.mark.django_db
def test_territory_reconcile_duplicate_codes_apply_none_of_the_rows():
    municipality_make("La Plata", code="06441")
    rows = [
        TerritoryRow(line=2, code="06441", name="La Plata", centroid_lat=-1.0, centroid_lon=-1.0),
        TerritoryRow(line=9, code="06441", name="Berisso"),
    ]
    plan = _reconcile(rows)
    assert plan.updates == []
    assert plan.creations == []
    [conflict] = plan.report.conflicts
    assert "el código 06441 aparece 2 veces en el archivo (filas 2, 9" in conflict.message
    assert "«La Plata», «Berisso»" in conflict.message


@pytest.mark.django_db
def test_territory_reconcile_name_variants_match_and_keep_the_stored_name():
    municipality_make("Ciudad Libertador San Martín", code="06371")
    municipality_make("José M. Ezeiza", code="06270")
    municipality_make("Coronel de Marina Leonardo Rosales", code="06182")
    rows = [
        TerritoryRow(line=2, code="06371", name="General San Martín"),
        TerritoryRow(line=3, code="06270", name="Ezeiza"),
        TerritoryRow(line=4, code="06182", name="Coronel Rosales"),
    ]
    plan = _reconcile(rows)
    assert plan.report.conflicts == []
    assert len(plan.report.unchanged) == 3
    messages = [w.message for w in plan.report.warnings]
    assert all("coincidencia por nombre alternativo" in m for m in messages)
    assert "«General San Martín» en el archivo es «Ciudad Libertador San Martín»" in messages[0]


@pytest.mark.django_db
def test_territory_reconcile_new_code_with_a_synonym_of_a_stored_name_is_a_conflict():
    municipality_make("José M. Ezeiza", code="06270")
    plan = _reconcile([TerritoryRow(line=7, code="06999", name="Ezeiza")])
    assert plan.creations == []
    assert "«Ezeiza» ya está guardado como «José M. Ezeiza» con el código 06270" in plan.report.conflicts[0].message


@pytest.mark.django_db
def test_territory_reconcile_other_province_rows_are_skipped_with_a_warning():
    plan = _reconcile([TerritoryRow(line=3, code="02007", name="Comuna 7")])
    assert plan.creations == []
    assert "Comuna 7 (02007) es de la provincia 02, no de la 06: se omite." in plan.report.warnings[0].message


@pytest.mark.django_db
def test_territory_reconcile_reports_missing_municipalities_and_code_in_another_province():
    municipality_make("La Plata", code="06441")
    municipality_make("Tandil", code="06791")
    municipality_make("Capital", code="14014", province=province_make("14", "Córdoba"))
    plan = _reconcile([TerritoryRow(line=2, code="06441", name="La Plata")])
    assert [e.code for e in plan.report.missing] == ["06791"]
    assert "Tandil (06791) está guardado pero no figura en el archivo; se conserva." in plan.report.missing[0].message


@pytest.mark.django_db
def test_territory_reconcile_code_used_in_another_province_is_a_conflict():
    municipality_make("Capital", code="06014", province=province_make("14", "Córdoba"))
    plan = _reconcile([TerritoryRow(line=2, code="06014", name="Capital")])
    assert plan.creations == []
    assert plan.updates == []
    assert "el código 06014 ya es de Capital, en la provincia 14." in plan.report.conflicts[0].message


@pytest.mark.django_db
def test_territory_reconcile_updates_only_changed_values_and_never_erases():
    municipality_make("La Plata", code="06441", centroid_lat=-34.9, centroid_lon=-57.9)
    same = _reconcile([TerritoryRow(line=2, code="06441", name="La Plata", full_name="Partido de La Plata")])
    assert [e.code for e in same.report.unchanged] == ["06441"]
    moved = _reconcile([TerritoryRow(line=2, code="06441", name="La Plata", centroid_lat=-35.0, centroid_lon=-58.0)])
    [(municipality, values)] = moved.updates
    assert values == {"centroid_lat": -35.0, "centroid_lon": -58.0}
    assert "centroid_lat: -34.9 → -35.0" in moved.report.updated[0].message


def test_bundled_file_is_not_a_copy_of_shared_data_boundaries():
    # Boundaries are imported by the operator, never bundled.
    bundled = {p.name for p in DEFAULT_TERRITORY_FILE.parent.iterdir()}
    assert bundled == {"partidos_pba.csv", "aliases_pba.csv", "SOURCE.md"}
    assert "CC BY 4.0" in (DEFAULT_TERRITORY_FILE.parent / "SOURCE.md").read_text(encoding="utf-8")
