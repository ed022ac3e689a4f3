"""The pages and downloads as a visitor, an editor and a reviewer use them."""

import csv
import io
import json

import pytest
from django.urls import reverse

from abiertos.catalog.models import Dataset
from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.actors import Actor
from abiertos.core.models import AuditEvent
from abiertos.monitoring.models import IndexOverride
from abiertos.monitoring.services import index_compute_full

SYSTEM = Actor.system("test")


@pytest.fixture
def computed(municipality, other_municipality):
    for m, lat, lon in ((municipality, -34.92, -57.95), (other_municipality, -38.72, -62.27)):
        m.centroid_lat, m.centroid_lon = lat, lon
        m.save()
    dataset_make(municipality, publish=True, identifier="presupuesto-2025", themes=["presupuesto"])
    dataset_make(
        municipality,
        publish=True,
        identifier="licitaciones",
        title="Licitaciones 2025",
        keywords=["compras"],
        description="Licitaciones.",
    )
    return index_compute_full(by=SYSTEM)


def _text(response) -> str:
    return response.content.decode()


def test_dashboard_without_any_run_says_so(client, db):
    response = client.get(reverse("monitoring:dashboard"))

    assert response.status_code == 200
    assert "todavía no se calculó" in _text(response)


def test_dashboard_shows_map_ranking_and_filters(client, computed, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get(reverse("monitoring:dashboard"))

    body = _text(response)
    assert "<svg" in body
    assert 'role="img"' in body
    assert "La Plata:" in body  # the tooltip of its shape
    assert body.index(">La Plata</a>") < body.index(">Bahía Blanca</a>")  # ranked by score
    assert "datasets_actualizados_pct" in body
    filtered = _text(client.get(reverse("monitoring:dashboard"), {"categoria": "compras"}))
    assert "Compras y contrataciones" in filtered
    by_name = _text(client.get(reverse("monitoring:dashboard"), {"orden": "name"}))
    assert by_name.index(">Bahía Blanca</a>") < by_name.index(">La Plata</a>")


def test_dashboard_ignores_unknown_filters(client, computed):
    response = client.get(reverse("monitoring:dashboard"), {"categoria": "<x>", "orden": "drop", "poblacion": "?"})

    assert response.status_code == 200
    assert ">La Plata</a>" in _text(response)


def test_scorecard_shows_score_next_steps_and_evidence(client, computed, municipality):
    response = client.get(reverse("monitoring:scorecard", args=[municipality.slug]))

    body = _text(response)
    assert 'id="score"' in body
    assert "Próximos pasos" in body
    assert "Publicá " in body
    assert "puntos" in body
    assert "/m/la-plata/datos/presupuesto-2025/" in body  # evidence link
    assert "sin datos todavía" in body  # institutional indicators nobody provides yet
    assert "Qué corregir" not in body  # findings are for the municipality's editors


def test_scorecard_shows_findings_to_its_editors(client, computed, municipality, editor):
    client.force_login(editor)

    body = _text(client.get(reverse("monitoring:scorecard", args=[municipality.slug])))

    assert "Qué corregir en los metadatos" in body
    assert "es muy breve" in body
    assert "/m/la-plata/datos/licitaciones/" in body


def test_scorecard_lists_the_datasets_left_out_of_the_province_datajson(client, computed, municipality, editor):
    left_out = Dataset.objects.get(municipality=municipality, identifier="licitaciones")
    Dataset.objects.filter(pk=left_out.pk).update(issued=None)  # fails the profile's required issued
    province = json.loads(b"".join(client.get("/data.json").streaming_content))
    assert "la-plata_licitaciones" not in [d["identifier"] for d in province["dataset"]]
    client.force_login(editor)

    body = _text(client.get(reverse("monitoring:scorecard", args=[municipality.slug])))

    section = body.split("Fuera del catálogo provincial", 1)[1].split("</ul>", 1)[0]
    assert "quedan fuera del data.json de la provincia" in section
    assert 'href="/m/la-plata/datos/licitaciones/">Licitaciones 2025</a>' in section
    assert "presupuesto-2025" not in section


def test_scorecard_unknown_municipality_is_404(client, db):
    assert client.get("/m/no-existe/apertura/").status_code == 404


def test_methodology_explains_weights_and_categories(client, db):
    body = _text(client.get(reverse("monitoring:methodology")))

    assert "Pauta publicitaria" in body
    assert "36 días" in body
    assert "<td>20</td>" in body
    assert "<td>15</td>" in body


def test_reports_are_printable(client, computed, municipality):
    province = client.get(reverse("monitoring:report_province"))
    mine = client.get(reverse("monitoring:report_municipality", args=[municipality.slug]))

    assert "Informe de apertura de la provincia" in _text(province)
    assert "Posición 1 de 2" in _text(mine)
    assert client.get(reverse("monitoring:report_province_month", args=["2026-13"])).status_code == 400
    assert "No hay cálculos" in _text(client.get(reverse("monitoring:report_province_month", args=["1999-01"])))


def test_index_downloads_as_csv_and_json_with_history(client, computed, municipality):
    index_compute_full(by=SYSTEM)

    response = client.get(reverse("monitoring:download_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    document = json.loads(b"".join(client.get(reverse("monitoring:download_json")).streaming_content))

    assert len(rows) == 4  # two municipalities, two computations
    la_plata = [r for r in rows if r["municipio_codigo"] == "06441"]
    assert float(la_plata[0]["puntaje"]) > 0
    assert la_plata[0]["categoria_presupuesto"] != "0"
    assert document["pesos"] == {"online": 15, "free": 15, "bulk": 15, "fresh": 15, "license": 20, "machine": 20}
    assert len(document["calculos"]) == 2
    assert document["calculos"][0]["municipios"][0]["municipio_slug"] == "la-plata"


def test_override_form_for_reviewers_only(client, computed, municipality, editor, provincial_admin):
    url = reverse("monitoring:override", args=[municipality.slug])
    data = {"category": "ddjj", "criterion": "exists", "value": "si", "reason": "Publicadas en el boletín oficial."}

    client.force_login(editor)
    assert client.post(url, data).status_code == 403
    client.force_login(provincial_admin)
    response = client.post(url, data, follow=True)

    assert "Revisión guardada" in _text(response)
    assert IndexOverride.objects.get().reason == "Publicadas en el boletín oficial."
    assert AuditEvent.objects.filter(action="monitoring.index_override").exists()
    response = client.post(url, {**data, "reason": ""}, follow=True)
    assert "Explicá el motivo" in _text(response)


def test_recompute_enqueues_a_job_for_reviewers(client, computed, provincial_admin, citizen):
    client.force_login(citizen)
    assert client.post(reverse("monitoring:recompute")).status_code == 403
    client.force_login(provincial_admin)

    response = client.post(reverse("monitoring:recompute"))

    assert response.status_code == 302
    assert "/tareas/" in response["Location"]


def test_dashboard_region_filter_whitens_the_others_on_the_map(client, computed):
    body = _text(client.get(reverse("monitoring:dashboard"), {"region": "gba"}))

    assert "La Plata: fuera del filtro elegido" in body
    assert "Ningún municipio cumple con los filtros elegidos." in body
    interior = _text(client.get(reverse("monitoring:dashboard"), {"region": "interior"}))
    assert "fuera del filtro" not in interior.split("</svg>")[0]


def test_pages_speak_english_when_asked(client, computed, municipality):
    client.post("/i18n/setlang/", {"language": "en", "next": "/apertura/"})

    dashboard = _text(client.get(reverse("monitoring:dashboard")))
    scorecard = _text(client.get(reverse("monitoring:scorecard", args=[municipality.slug])))

    assert "Openness index of the municipalities" in dashboard
    assert "Next steps" in scorecard
    assert "Publish the asset declarations in CSV, with an open license</span>: <strong" in scorecard
    assert "+6.7 points" in scorecard
