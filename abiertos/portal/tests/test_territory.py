"""Loading the territory and its boundaries: services and the two management commands."""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import actor_of, user_with_role
from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied, ValidationError
from abiertos.core.models import AuditEvent, Municipality, MunicipalityCodeAlias, Province
from abiertos.core.territory import DEFAULT_ALIASES_FILE, DEFAULT_TERRITORY_FILE, CodeAlias, TerritoryRow
from abiertos.core.territory_sources import (
    aliases_file_read,
    boundaries_source_read,
    boundary_features_read,
    territory_file_read,
)
from abiertos.core.tests.factories import municipality_make
from abiertos.portal.territory import municipality_boundaries_import, territory_load

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "territory"
CLI = Actor.system("cli")
SQUARE = {"type": "Polygon", "coordinates": [[[-58.0, -35.0], [-57.9, -35.0], [-57.9, -34.9], [-58.0, -35.0]]]}
ISLAND = {"type": "Polygon", "coordinates": [[[-58.5, -34.2], [-58.4, -34.2], [-58.4, -34.1], [-58.5, -34.2]]]}


def _default_load(*, by=CLI, dry_run=False):
    rows, warnings = territory_file_read(DEFAULT_TERRITORY_FILE)
    return territory_load(
        rows=rows,
        province_code="06",
        province_name="Buenos Aires",
        aliases=aliases_file_read(DEFAULT_ALIASES_FILE),
        read_warnings=warnings,
        dry_run=dry_run,
        by=by,
    )


def _file_load(tmp_path, text, **kwargs):
    path = tmp_path / "territorio.csv"
    path.write_text(text, encoding="utf-8")
    rows, warnings = territory_file_read(path)
    return territory_load(rows=rows, province_code="06", read_warnings=warnings, by=CLI, **kwargs)


def _feature(code, name, geometry=SQUARE):
    return {"type": "Feature", "properties": {"id": code, "nombre": name}, "geometry": geometry}


def _boundaries(features, **kwargs):
    parsed, warnings = boundary_features_read(features)
    return municipality_boundaries_import(features=parsed, read_warnings=warnings, by=CLI, **kwargs)


@pytest.fixture
def pba(db):
    _default_load()
    return Province.objects.get(code="06")


@pytest.mark.django_db
def test_territory_load_bundled_file_creates_the_135_partidos():
    report = _default_load()
    assert len(report.created) == 135
    assert report.conflicts == []
    assert report.warnings == []
    assert Municipality.objects.filter(province__code="06").count() == 135
    la_plata = Municipality.objects.get(code="06441")
    assert (la_plata.name, la_plata.slug, la_plata.full_name) == ("La Plata", "la-plata", "Partido de La Plata")
    assert la_plata.centroid_lat == pytest.approx(-35.0, abs=0.2)
    slugs = dict(Municipality.objects.values_list("code", "slug"))
    assert (slugs["06588"], slugs["06412"], slugs["06854"]) == ("9-de-julio", "jose-c-paz", "25-de-mayo")
    assert len(set(slugs.values())) == 135
    assert Province.objects.get(code="06").name == "Buenos Aires"
    assert MunicipalityCodeAlias.objects.get(code="06217").municipality.name == "Chascomús"


@pytest.mark.django_db
def test_territory_load_second_time_changes_nothing():
    _default_load()
    events = AuditEvent.objects.count()
    report = _default_load()
    assert len(report.unchanged) == 135
    assert report.created == report.updated == report.aliases == []
    assert not report.has_changes
    assert "sin cambios" in report.summary()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_territory_load_audits_every_change_as_the_cli():
    _default_load()
    created = AuditEvent.objects.filter(action="municipality.create")
    assert created.count() == 135
    event = created.get(target_repr="La Plata")
    assert (event.actor_label, event.via, event.changes["code"]) == ("sistema", "cli", "06441")
    assert AuditEvent.objects.filter(action="province.create").count() == 1
    assert AuditEvent.objects.get(action="municipality_code_alias.create").changes["code"] == "06217"
    assert AuditEvent.objects.get(action="territory.load").changes["created"] == 135


@pytest.mark.django_db
def test_territory_load_dry_run_reports_without_writing():
    report = _default_load(dry_run=True)
    assert report.dry_run
    assert len(report.created) == 135
    assert len(report.aliases) == 1
    assert "simulación" in report.summary()
    assert Municipality.objects.count() == 0
    assert Province.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_territory_load_denied_to_municipal_editor_and_allowed_to_provincial_admin():
    editor = user_with_role(Role.MUNICIPAL_EDITOR, municipality_make("Tandil", code="06791"))
    with pytest.raises(PermissionDenied) as exc:
        _default_load(by=actor_of(editor))
    assert "administrar el territorio" in exc.value.message
    admin = user_with_role(Role.PROVINCIAL_ADMIN, email="prov@example.org")
    report = _default_load(by=actor_of(admin))
    assert len(report.created) == 134
    assert AuditEvent.objects.filter(action="municipality.create", actor=admin).count() == 134


def test_territory_load_of_the_shared_georef_file_matches_chascomus_by_alias(pba):
    rows, _ = territory_file_read(SHARED / "partidos_pba.csv")
    report = territory_load(rows=rows, province_code="06", by=CLI)
    assert len(report.unchanged) == 135
    assert report.conflicts == []
    assert [w.message for w in report.warnings] == ["coincidencia por alias: el código 06217 del archivo es 06218."]


def test_territory_load_dropped_zero_is_normalized_and_reported(pba, tmp_path):
    report = _file_load(tmp_path, "code,name\n6441,La Plata\n")
    assert [e.code for e in report.unchanged] == ["06441"]
    assert report.warnings[0].line == 2
    assert "«6441» no tiene ceros iniciales; se toma como 06441" in report.warnings[0].message


def test_territory_load_duplicate_codes_are_conflicts_and_not_applied(pba, tmp_path):
    report = _file_load(tmp_path, "code,name,centroid_lat,centroid_lon\n06441,La Plata,-1,-1\n06441,Berisso,-2,-2\n")
    assert report.updated == []
    assert report.created == []
    assert "el código 06441 aparece 2 veces en el archivo (filas 2, 3" in report.conflicts[0].message
    assert Municipality.objects.get(code="06441").centroid_lat != -1


def test_territory_load_moron_with_the_code_of_moreno_is_a_conflict(pba, tmp_path):
    report = _file_load(tmp_path, "code,name,centroid_lat,centroid_lon\n06560,Morón,-1,-1\n")
    [conflict] = report.conflicts
    assert "el código 06560 es de «Moreno», pero el archivo lo usa para «Morón»" in conflict.message
    assert "«Morón» ya está guardado con el código 06568" in conflict.message
    assert Municipality.objects.get(code="06560").name == "Moreno"
    assert Municipality.objects.get(code="06560").centroid_lat != -1
    assert "Moreno (06560)" not in " ".join(e.message for e in report.missing)
    assert len(report.missing) == 133


def test_territory_load_old_code_is_a_conflict_until_an_alias_is_registered(db, tmp_path):
    _file_load(tmp_path, "code,name\n06218,Chascomús\n", province_name="Buenos Aires")
    report = _file_load(tmp_path, "code,name,centroid_lat,centroid_lon\n06217,Chascomús,-35.6,-57.9\n")
    assert "registralo como alias (--alias 06217=06218)" in report.conflicts[0].message
    assert Municipality.objects.count() == 1
    report = _file_load(
        tmp_path,
        "code,name,centroid_lat,centroid_lon\n06217,Chascomús,-35.6,-57.9\n",
        aliases=[CodeAlias("06217", "06218", "código viejo")],
    )
    assert report.conflicts == []
    assert [e.message for e in report.aliases] == ["06217 → 06218 código viejo"]
    assert "coincidencia por alias" in report.warnings[0].message
    assert [e.code for e in report.updated] == ["06218"]
    chascomus = Municipality.objects.get()
    assert (chascomus.code, chascomus.centroid_lat) == ("06218", -35.6)
    assert chascomus.code_aliases.get().code == "06217"


def test_territory_load_name_variants_are_reported_as_alternative_names(pba, tmp_path):
    report = _file_load(tmp_path, "code,name\n06371,General San Martín\n06270,Ezeiza\n06182,Coronel Rosales\n")
    assert report.conflicts == []
    assert len(report.unchanged) == 3
    assert [w.message for w in report.warnings] == [
        "coincidencia por nombre alternativo: «General San Martín» en el archivo es «Ciudad Libertador San Martín».",
        "coincidencia por nombre alternativo: «Ezeiza» en el archivo es «José M. Ezeiza».",
        "coincidencia por nombre alternativo: «Coronel Rosales» en el archivo es «Coronel de Marina Leonardo Rosales».",
    ]
    assert Municipality.objects.get(code="06371").name == "Ciudad Libertador San Martín"


def test_territory_load_skips_other_provinces_and_never_deletes(pba, tmp_path):
    report = _file_load(tmp_path, "code,name\n02007,Comuna 7\n06441,La Plata\n")
    assert "Comuna 7 (02007) es de la provincia 02, no de la 06: se omite." in report.warnings[0].message
    assert len(report.missing) == 134
    assert Municipality.objects.count() == 135
    assert not Municipality.objects.filter(code="02007").exists()


def test_territory_load_another_province_from_geojson_with_slug_collision(pba, tmp_path):
    path = tmp_path / "cordoba.geojson"
    features = [
        {"type": "Feature", "properties": {"cod": "14035", "nom": "Colón"}, "geometry": None},
        {"type": "Feature", "properties": {"cod": "14014", "nom": "Capital"}, "geometry": None},
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    rows, _ = territory_file_read(path, fields={"code": "cod", "name": "nom"})
    report = territory_load(rows=rows, province_code="14", province_name="Córdoba", by=CLI)
    assert [e.code for e in report.created] == ["14035", "14014"]
    assert report.missing == []
    assert Municipality.objects.get(code="14035").slug == "colon-14035"
    assert Municipality.objects.get(code="06175").slug == "colon"
    assert "«colon» ya estaba usado; se creó como «colon-14035»" in report.warnings[0].message
    assert Province.objects.get(code="14").slug == "cordoba"


@pytest.mark.django_db
def test_territory_load_unknown_province_needs_a_name():
    with pytest.raises(ValidationError) as exc:
        territory_load(rows=[TerritoryRow(line=2, code="14014", name="Capital")], province_code="14", by=CLI)
    assert "La provincia 14 todavía no existe: indicá su nombre con --province-name." in exc.value.message


def test_territory_load_rejects_contradictory_aliases(pba):
    rows = [TerritoryRow(line=2, code="06441", name="La Plata")]
    with pytest.raises(ValidationError) as exc:
        territory_load(rows=rows, province_code="06", aliases=[CodeAlias("06217", "06441")], by=CLI)
    assert "06217 ya es alias de 06218; no puede serlo también de 06441." in exc.value.message
    with pytest.raises(ValidationError) as exc:
        territory_load(rows=rows, province_code="06", aliases=[CodeAlias("06441", "06218")], by=CLI)
    assert "06441 es el código de un municipio" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        territory_load(rows=rows, province_code="06", aliases=[CodeAlias("06999", "06998")], by=CLI)
    assert "apunta a un código que no existe: 06998" in exc.value.message


def test_territory_load_updates_are_audited_with_old_and_new_values(pba, tmp_path):
    report = _file_load(tmp_path, "code,name,centroid_lat,centroid_lon\n06441,La Plata,-35.5,-58.5\n")
    assert [e.code for e in report.updated] == ["06441"]
    event = AuditEvent.objects.get(action="municipality.update")
    assert event.changes["centroid_lat"][1] == -35.5
    assert event.municipality.code == "06441"


# --- Boundaries -------------------------------------------------------------------------------


def test_boundaries_import_shared_geojson_sets_all_135_and_is_idempotent(pba):
    features, warnings = boundary_features_read(boundaries_source_read(str(SHARED / "partidos_pba.geojson")))
    report = municipality_boundaries_import(features=features, read_warnings=warnings, by=CLI)
    assert len(report.updated) == 135
    assert report.conflicts == []
    assert report.missing == []
    assert not Municipality.objects.filter(boundary__isnull=True).exists()
    assert Municipality.objects.get(code="06441").boundary["type"] in ("Polygon", "MultiPolygon")
    assert AuditEvent.objects.filter(action="municipality.boundary_import").count() == 135
    # «Chascomús» comes as 06218 and the alternative names are reported, not guessed silently.
    assert any(
        "«General San Martín» en el archivo es «Ciudad Libertador San Martín»" in w.message for w in report.warnings
    )
    again = municipality_boundaries_import(features=features, by=CLI)
    assert len(again.unchanged) == 135
    assert not again.has_changes


def test_boundaries_import_merges_split_features_into_one_multipolygon(pba):
    report = _boundaries([_feature("06441", "La Plata"), _feature("06441", "La Plata", ISLAND)])
    boundary = Municipality.objects.get(code="06441").boundary
    assert boundary["type"] == "MultiPolygon"
    assert boundary["coordinates"] == [SQUARE["coordinates"], ISLAND["coordinates"]]
    assert "La Plata (06441): 2 elementos (1, 2) unidos en un solo MultiPolygon." in report.warnings[0].message
    assert "MultiPolygon de 2 polígono(s)" in report.updated[0].message
    assert len(report.missing) == 134
    assert "sigue sin límite" in report.missing[0].message


def test_boundaries_import_reports_missing_ids_dropped_zeros_and_unknown_codes(pba):
    features = [
        {"type": "Feature", "properties": {"nombre": "Sin id"}, "geometry": SQUARE},
        _feature("6441", "La Plata"),
        _feature("06999", "Inventado"),
        _feature("06791", "Tandil", {"type": "Point", "coordinates": [-59.1, -37.3]}),
    ]
    report = _boundaries(features)
    messages = {w.line: w.message for w in report.warnings}
    assert messages[1] == "no tiene la propiedad «id» con el código; se omite."
    assert messages[2] == "el código «6441» no tiene ceros iniciales; se toma como 06441."
    assert messages[3] == "el código 06999 («Inventado») no corresponde a ningún municipio guardado; se omite."
    assert messages[4] == "su geometría es «Point», no un polígono; se omite."
    assert [e.code for e in report.updated] == ["06441"]
    assert Municipality.objects.exclude(boundary=None).count() == 1


def test_boundaries_import_lezama_with_the_code_of_chascomus_is_a_conflict(pba):
    report = _boundaries([_feature("06218", "Chascomús"), _feature("06218", "Lezama", ISLAND)])
    [conflict] = report.conflicts
    assert conflict.line == 2
    assert "usa el código 06218, que es de «Chascomús», pero se llama «Lezama»: no se aplica." in conflict.message
    assert Municipality.objects.get(code="06218").boundary == SQUARE
    assert Municipality.objects.get(code="06466").boundary is None


def test_boundaries_import_old_code_needs_an_alias(db):
    municipality_make("Chascomús", code="06217")
    municipality_make("La Plata", code="06441")
    report = _boundaries([_feature("06218", "Chascomús"), _feature("06441", "La Plata")])
    assert "registralo como alias (--alias 06218=06217)" in report.conflicts[0].message
    assert [e.code for e in report.updated] == ["06441"]
    assert report.missing == []  # Chascomús is already named in the conflict
    assert Municipality.objects.get(code="06217").boundary is None
    report = _boundaries([_feature("06218", "Chascomús")], aliases=[CodeAlias("06218", "06217")])
    assert report.conflicts == []
    assert Municipality.objects.get(code="06217").boundary == SQUARE
    assert MunicipalityCodeAlias.objects.get().code == "06218"


def test_boundaries_import_dry_run_writes_nothing(pba):
    report = _boundaries([_feature("06441", "La Plata")], dry_run=True)
    assert [e.code for e in report.updated] == ["06441"]
    assert Municipality.objects.get(code="06441").boundary is None


def test_boundaries_import_denied_to_municipal_editor(pba):
    editor = user_with_role(Role.MUNICIPAL_EDITOR, Municipality.objects.get(code="06441"))
    with pytest.raises(PermissionDenied):
        municipality_boundaries_import(features=[], by=actor_of(editor))


# --- Sources: files and URLs ------------------------------------------------------------------


@pytest.fixture
def http_dir(tmp_path):
    """A local HTTP server on 127.0.0.1 serving tmp_path; yields its base URL."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_boundaries_source_read_from_a_url(pba, tmp_path, http_dir):
    collection = {"type": "FeatureCollection", "features": [_feature("06441", "La Plata")]}
    (tmp_path / "limites.geojson").write_text(json.dumps(collection), encoding="utf-8")
    out = StringIO()
    call_command("import_boundaries", f"{http_dir}/limites.geojson", stdout=out)
    assert "Actualizado: elemento 1: La Plata (06441): sin límite → Polygon de 1 polígono(s)" in out.getvalue()
    assert Municipality.objects.get(code="06441").boundary == SQUARE


def test_boundaries_source_read_url_failures_are_clear(tmp_path, http_dir):
    (tmp_path / "grande.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []}) + " " * 2048)
    (tmp_path / "roto.geojson").write_text("<html>no</html>")
    with pytest.raises(ValidationError) as exc:
        boundaries_source_read(f"{http_dir}/no-existe.geojson")
    assert "el servidor respondió 404" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        boundaries_source_read(f"{http_dir}/grande.geojson", max_bytes=1024)
    assert "pesa más de 1 MB, el máximo permitido" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        boundaries_source_read(f"{http_dir}/roto.geojson")
    assert "no es un GeoJSON válido" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        boundaries_source_read("ftp://example.org/x.geojson")
    assert "archivo local o de una URL http(s)" in exc.value.message


def test_boundaries_source_read_unreachable_host_is_clear():
    with pytest.raises(ValidationError) as exc:
        boundaries_source_read("http://127.0.0.1:9/limites.geojson", timeout=2)
    assert "No se pudo descargar http://127.0.0.1:9/limites.geojson" in exc.value.message


# --- Commands ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_territory_command_twice_says_sin_cambios():
    out = StringIO()
    call_command("load_territory", stdout=out)
    assert "Creados: 135" in out.getvalue()
    out = StringIO()
    call_command("load_territory", stdout=out)
    assert "Sin cambios: 135" in out.getvalue()
    assert "sin cambios." in out.getvalue()


@pytest.mark.django_db
def test_load_territory_command_json_dry_run_and_options(tmp_path):
    out = StringIO()
    call_command("load_territory", "--json", "--dry-run", stdout=out)
    report = json.loads(out.getvalue())
    assert report["dry_run"] is True
    assert report["counts"]["created"] == 135
    assert Municipality.objects.count() == 0
    call_command("load_territory", stdout=StringIO())
    path = tmp_path / "x.csv"
    path.write_text("cod;partido\n6217;Chascomús\n06999;Nuevo Partido\n", encoding="utf-8")
    out = StringIO()
    call_command(
        "load_territory", "--file", str(path), "--code-field", "cod", "--name-field", "partido", "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    assert [e["code"] for e in report["created"]] == ["06999"]
    assert report["counts"]["missing"] == 134
    assert Municipality.objects.get(code="06999").slug == "nuevo-partido"


@pytest.mark.django_db
def test_load_territory_command_alias_option_and_errors(tmp_path):
    call_command("load_territory", stdout=StringIO())
    path = tmp_path / "x.csv"
    path.write_text("code,name\n06999,Lezama\n", encoding="utf-8")
    out = StringIO()
    call_command("load_territory", "--file", str(path), "--alias", "6999=06466", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["aliases"][0]["code"] == "06999"
    assert report["counts"]["unchanged"] == 1
    assert MunicipalityCodeAlias.objects.get(code="06999").municipality.code == "06466"
    with pytest.raises(CommandError, match="CÓDIGO_VIEJO=CÓDIGO_GUARDADO"):
        call_command("load_territory", "--alias", "nada", stdout=StringIO())
    with pytest.raises(CommandError, match="No existe el archivo"):
        call_command("load_territory", "--file", str(tmp_path / "no.csv"), stdout=StringIO())


def test_import_boundaries_command_reads_the_shared_file(pba):
    out = StringIO()
    call_command("import_boundaries", str(SHARED / "partidos_pba.geojson"), "--json", stdout=out)
    assert json.loads(out.getvalue())["counts"]["updated"] == 135
    with pytest.raises(CommandError, match="No existe el archivo"):
        call_command("import_boundaries", "/no/existe.geojson", stdout=StringIO())
