from abiertos.accounts.tests.factories import PASSWORD
from abiertos.catalog.tests.factories import dataset_make


def test_search_page_finds_stemmed_accent_insensitive_and_shows_facets(client, municipality, other_municipality):
    dataset_make(municipality, publish=True, title="Presupuesto 2025", keywords=["hacienda"])
    dataset_make(
        other_municipality, publish=True, title="Obras Públicas", keywords=["obras"], description="Obras en curso."
    )
    body = client.get("/datos/", {"q": "presupuestos"}).content.decode()
    assert "1 conjunto de datos" in body
    assert "Presupuesto 2025" in body
    assert "Obras Públicas" not in body
    assert 'La Plata <span class="count">(1)</span>' in body
    body = client.get("/datos/", {"q": "obra publica"}).content.decode()
    assert "Obras Públicas" in body


def test_search_page_facet_link_narrows_results(client, municipality, other_municipality):
    dataset_make(municipality, publish=True, title="Salud en La Plata")
    dataset_make(other_municipality, publish=True, title="Salud en Bahía")
    body = client.get("/datos/", {"municipio": "bahia-blanca"}).content.decode()
    assert "Salud en Bahía" in body
    assert "Salud en La Plata" not in body


def test_municipality_search_shows_drafts_only_to_its_editor(client, municipality, editor):
    dataset_make(municipality, title="Borrador de tasas")
    dataset_make(municipality, publish=True, title="Tasas publicadas")
    public = client.get("/m/la-plata/datos/").content.decode()
    assert "Tasas publicadas" in public
    assert "Borrador de tasas" not in public
    assert client.login(username=editor.email, password=PASSWORD)
    own = client.get("/m/la-plata/datos/").content.decode()
    assert "Borrador de tasas" in own
    assert "Publicar un conjunto de datos nuevo" in own


def test_search_page_paginates(client, municipality):
    for n in range(23):
        dataset_make(municipality, publish=True, title=f"Serie {n:02d}")
    first = client.get("/datos/", {"orden": "titulo"}).content.decode()
    assert "Página 1 de 2" in first
    assert "Serie 00" in first
    assert "Serie 22" not in first
    second = client.get("/datos/", {"orden": "titulo", "pagina": "2"}).content.decode()
    assert "Serie 22" in second


def test_search_page_survives_nasty_input(client, municipality):
    dataset_make(municipality, publish=True, title="Presupuesto")
    for q in ['"', "AND OR NOT (", "*", "-", "ñ" * 600, "NEAR(a b)"]:
        response = client.get("/datos/", {"q": q, "pagina": "x", "orden": "nada"})
        assert response.status_code == 200
        assert "conjunto" in response.content.decode()
