import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.accounts.tests.factories import PASSWORD
from abiertos.catalog.models import Dataset, DatasetStatus
from abiertos.catalog.tests.factories import CSV_BYTES, dataset_make, distribution_csv_make

FORM = {
    "title": "Obras públicas 2025",
    "identifier": "obras-publicas-2025",
    "description": "Obras en ejecución con monto, plazo y ubicación.",
    "super_themes": ["GOVE"],
    "themes": ["obras-publicas"],
    "keywords": "obras, infraestructura",
    "accrual_periodicity": "R/P1M",
    "license": "cc-by-4.0",
}


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def test_dataset_create_page_creates_draft_and_goes_to_add_files(client, municipality, editor):
    _login(client, editor)
    response = client.post("/m/la-plata/datos/nuevo/", FORM)
    assert response.status_code == 302
    assert response["Location"] == "/m/la-plata/datos/obras-publicas-2025/recursos/nuevo/"
    dataset = Dataset.objects.get(identifier="obras-publicas-2025")
    assert dataset.status == DatasetStatus.DRAFT
    assert dataset.keywords == ["obras", "infraestructura"]
    assert [t.identifier for t in dataset.themes.all()] == ["obras-publicas"]


def test_dataset_create_page_shows_field_errors_in_spanish(client, municipality, editor):
    _login(client, editor)
    response = client.post("/m/la-plata/datos/nuevo/", {**FORM, "identifier": "con espacios", "super_themes": []})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hay datos para revisar" in body
    assert "Usá solo letras sin tilde" in body
    assert not Dataset.objects.exists()


def test_dataset_create_page_denies_editor_of_other_municipality(client, other_municipality, editor):
    _login(client, editor)
    response = client.get("/m/bahia-blanca/datos/nuevo/")
    assert response.status_code == 403
    assert "No tenés permiso" in response.content.decode()


def test_dataset_create_page_sends_anonymous_to_login(client, municipality):
    response = client.get("/m/la-plata/datos/nuevo/")
    assert response.status_code == 302
    assert response["Location"].startswith("/cuentas/ingresar/")


def test_dataset_validate_reports_errors_as_json(client, municipality, editor):
    _login(client, editor)
    response = client.post("/m/la-plata/datos/validar/", {**FORM, "keywords": "bien, mal/barra"})
    data = response.json()
    assert data["valid"] is False
    assert "'mal/barra'" in data["errors"]["keywords"][0]


def test_distribution_upload_page_adds_file_then_publish(client, municipality, editor):
    dataset = dataset_make(municipality, identifier="presupuesto")
    _login(client, editor)
    upload = SimpleUploadedFile("presupuesto.csv", CSV_BYTES, content_type="text/csv")
    response = client.post(
        "/m/la-plata/datos/presupuesto/recursos/nuevo/",
        {"title": "Presupuesto en CSV", "kind": "upload", "file": upload},
    )
    assert response.status_code == 302
    distribution = dataset.distributions.get()
    assert distribution.format == "CSV"
    assert distribution.identifier == "presupuesto-presupuesto-en-csv"
    response = client.post("/m/la-plata/datos/presupuesto/publicar/")
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.status == DatasetStatus.PUBLISHED


def test_distribution_url_page_requires_address(client, municipality, editor):
    dataset_make(municipality, identifier="enlaces")
    _login(client, editor)
    response = client.post("/m/la-plata/datos/enlaces/recursos/nuevo/", {"title": "Planilla", "kind": "url"})
    assert response.status_code == 200
    assert "Escribí la dirección del archivo." in response.content.decode()


def test_dataset_detail_draft_hidden_from_public_visible_to_editor(client, municipality, editor):
    dataset_make(municipality, identifier="borrador", title="Un borrador")
    assert client.get("/m/la-plata/datos/borrador/").status_code == 404
    _login(client, editor)
    body = client.get("/m/la-plata/datos/borrador/").content.decode()
    assert "Borrador: vista previa." in body
    assert "Un borrador" in body


def test_dataset_detail_has_schema_org_jsonld_and_citation(client, municipality):
    dataset_make(municipality, publish=True, identifier="presupuesto", title="Presupuesto </script> 2025")
    body = client.get("/m/la-plata/datos/presupuesto/").content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "Dataset"
    assert data["name"] == "Presupuesto </script> 2025"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["distribution"][0]["encodingFormat"] == "text/csv"
    assert data["distribution"][0]["contentUrl"].startswith("http://testserver/m/la-plata/datos/presupuesto/recursos/")
    assert "[conjunto de datos]" in body


def test_distribution_download_serves_current_and_earlier_versions(client, municipality, editor, actor):
    from abiertos.catalog import services

    dataset = dataset_make(municipality, publish=True, identifier="serie")
    distribution = dataset.distributions.get()
    services.distribution_replace_file(
        distribution=distribution, upload=SimpleUploadedFile("v2.csv", b"x,y\n1,2\n"), by=actor(editor)
    )
    base = f"/m/la-plata/datos/serie/recursos/{distribution.identifier}"
    current = client.get(f"{base}/descargar/")
    assert b"".join(current.streaming_content) == b"x,y\n1,2\n"
    assert 'filename="v2.csv"' in current["Content-Disposition"]
    first = client.get(f"{base}/versiones/1/")
    assert b"".join(first.streaming_content) == CSV_BYTES


def test_municipality_datasets_lists_published_only_to_public(client, municipality):
    dataset_make(municipality, publish=True, title="Visible para todos")
    dataset_make(municipality, title="Todavía en borrador")
    body = client.get("/m/la-plata/datos/").content.decode()
    assert "Visible para todos" in body
    assert "Todavía en borrador" not in body


def test_feeds_list_published_datasets(client, municipality, other_municipality):
    dataset_make(municipality, publish=True, title="Presupuesto platense")
    dataset_make(other_municipality, publish=True, title="Presupuesto bahiense")
    province = client.get("/feeds/datos.atom").content.decode()
    assert "Presupuesto platense (La Plata)" in province
    assert "Presupuesto bahiense" in province
    local = client.get("/m/la-plata/feeds/datos.atom").content.decode()
    assert "Presupuesto platense" in local
    assert "bahiense" not in local


def test_sitemap_lists_dataset_pages(client, municipality):
    dataset_make(municipality, publish=True, identifier="en-el-mapa")
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-datos.xml" in index
    section = client.get("/sitemap-datos.xml").content.decode()
    assert "/m/la-plata/datos/en-el-mapa/" in section


def test_municipality_home_links_recent_datasets(client, municipality):
    dataset_make(municipality, publish=True, title="Recaudación mensual")
    body = client.get("/m/la-plata/").content.decode()
    assert "Recaudación mensual" in body
    assert 'href="/m/la-plata/datos/"' in body


def test_distribution_factory_is_used(municipality):
    dataset = dataset_make(municipality)
    assert distribution_csv_make(dataset).file_version == 1


def test_distribution_form_attaches_a_completed_chunked_upload(client, municipality, editor, actor):
    from abiertos.catalog.uploads import content_range_parse, upload_session_append, upload_session_create

    dataset = dataset_make(municipality, identifier="por-partes")
    session = upload_session_create(
        municipality=municipality, file_name="grande.csv", total_size=len(CSV_BYTES), by=actor(editor)
    )
    upload_session_append(
        session=session,
        chunk=content_range_parse(f"bytes 0-{len(CSV_BYTES) - 1}/{len(CSV_BYTES)}"),
        data=CSV_BYTES,
        by=actor(editor),
    )
    _login(client, editor)
    page = client.get("/m/la-plata/datos/por-partes/recursos/nuevo/").content.decode()
    assert "data-chunked-upload" in page
    assert page.count('name="upload_session"') == 1
    response = client.post(
        "/m/la-plata/datos/por-partes/recursos/nuevo/",
        {"title": "Serie completa", "kind": "upload", "upload_session": str(session.pk)},
    )
    assert response.status_code == 302
    distribution = dataset.distributions.get()
    assert distribution.file_name == "grande.csv"
    assert distribution.file.read() == CSV_BYTES


def test_dataset_page_links_to_working_machine_readable_addresses(client, municipality):
    dataset_make(municipality, publish=True, identifier="enlazado")
    body = client.get("/m/la-plata/datos/enlazado/").content.decode()
    links = re.findall(r'<a href="(/(?:m/la-plata/(?:data\.json|catalog\.\w+)|api/[^"]+))"', body)
    assert len(links) == 7  # six formats plus the API documentation in the footer
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
