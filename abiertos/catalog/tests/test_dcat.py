"""DCAT-AP 3 exports (Turtle, RDF/XML, JSON-LD): parsed back with rdflib, paged like ckanext-dcat."""

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from abiertos.catalog.tests.catalog_samples import catalog_populate

# Written out here rather than imported from rdflib, so the test checks the vocabularies' URIs too.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
BASE = "http://127.0.0.1:8000"
BUDGET = URIRef(f"{BASE}/m/la-plata/datos/presupuesto-2025/")

FORMATS = [
    ("catalog.ttl", "turtle", "text/turtle; charset=utf-8"),
    ("catalog.rdf", "xml", "application/rdf+xml; charset=utf-8"),
    ("catalog.jsonld", "json-ld", "application/ld+json; charset=utf-8"),
]


@pytest.fixture
def sample(municipality, other_municipality):
    return catalog_populate(municipality, other_municipality)


def _graph(client, url, rdf_format, content_type=None) -> Graph:
    response = client.get(url)
    assert response.status_code == 200, url
    if content_type:
        assert response["Content-Type"] == content_type
    assert response["Access-Control-Allow-Origin"] == "*"
    return Graph().parse(data=response.content, format=rdf_format)


@pytest.mark.parametrize(("address", "rdf_format", "content_type"), FORMATS)
def test_dcat_exports_parse_back_with_the_catalog_and_its_datasets(client, sample, address, rdf_format, content_type):
    g = _graph(client, f"/m/la-plata/{address}", rdf_format, content_type)
    catalog = URIRef(f"{BASE}/m/la-plata/")

    assert (catalog, RDF.type, DCAT.Catalog) in g
    assert set(g.objects(catalog, DCAT.dataset)) == {BUDGET, URIRef(f"{BASE}/m/la-plata/datos/obras-publicas/")}
    assert (BUDGET, RDF.type, DCAT.Dataset) in g
    assert (BUDGET, DCTERMS.identifier, Literal("presupuesto-2025")) in g
    assert (BUDGET, DCTERMS.title, Literal("Presupuesto 2025 de La Plata", lang="es")) in g
    assert (BUDGET, DCAT.keyword, Literal("gasto público", lang="es")) in g
    assert (BUDGET, DCAT.theme, EU_THEME.ECON) in g
    assert (BUDGET, DCAT.theme, URIRef(f"{BASE}/themeTaxonomy#presupuesto")) in g


def test_dcat_dataset_details_publisher_contact_frequency_temporal(client, sample):
    g = _graph(client, "/m/la-plata/catalog.ttl", "turtle")

    publisher = g.value(BUDGET, DCTERMS.publisher)
    assert g.value(publisher, FOAF.name) == Literal("Partido de La Plata")
    contact = g.value(BUDGET, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in g
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:datos@laplata.example.org")
    frequency = g.value(BUDGET, DCTERMS.accrualPeriodicity)
    assert frequency == URIRef("http://publications.europa.eu/resource/authority/frequency/ANNUAL")
    period = g.value(BUDGET, DCTERMS.temporal)
    assert g.value(period, DCAT.startDate) == Literal("2025-01-01", datatype=XSD.date)
    assert g.value(BUDGET, DCTERMS.issued).datatype == XSD.dateTime


def test_dcat_distributions_with_urls_media_type_checksum_and_license(client, sample):
    g = _graph(client, "/m/la-plata/catalog.ttl", "turtle")
    distributions = {g.value(d, DCTERMS.identifier).toPython(): d for d in g.objects(BUDGET, DCAT.distribution)}

    csv = distributions["presupuesto-2025-csv"]
    assert (csv, RDF.type, DCAT.Distribution) in g
    assert str(g.value(csv, DCAT.downloadURL)).startswith(f"{BASE}/m/la-plata/")
    assert g.value(csv, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert g.value(csv, DCTERMS["format"]) == URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")
    assert g.value(csv, DCAT.byteSize).datatype == XSD.nonNegativeInteger
    assert g.value(csv, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    checksum = g.value(csv, SPDX.checksum)
    assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert len(str(g.value(checksum, SPDX.checksumValue))) == 64
    link = distributions["presupuesto-2025-xlsx"]
    assert g.value(link, DCAT.downloadURL) == URIRef("https://datos.laplata.example.org/presupuesto/2025.xlsx")


def test_dcat_theme_taxonomy_is_a_skos_scheme(client, sample):
    g = _graph(client, "/catalog.ttl", "turtle")
    concept = URIRef(f"{BASE}/themeTaxonomy#presupuesto")

    assert (concept, RDF.type, SKOS.Concept) in g
    assert g.value(concept, SKOS.prefLabel) == Literal("Presupuesto", lang="es")
    assert (URIRef(f"{BASE}/"), DCAT.themeTaxonomy, URIRef(f"{BASE}/themeTaxonomy")) in g


@pytest.mark.parametrize(("address", "rdf_format", "content_type"), FORMATS)
def test_dcat_province_export_has_every_municipality(client, sample, address, rdf_format, content_type):
    g = _graph(client, f"/{address}", rdf_format, content_type)

    identifiers = {str(g.value(d, DCTERMS.identifier)) for d in g.subjects(RDF.type, DCAT.Dataset)}
    assert identifiers == {"la-plata_presupuesto-2025", "la-plata_obras-publicas", "bahia-blanca_presupuesto-2025"}


def test_dcat_pages_like_ckanext_dcat(client, settings, sample):
    settings.DCAT_PAGE_SIZE = 1
    pages = [_graph(client, f"/catalog.ttl?page={n}", "turtle") for n in (1, 2, 3)]

    seen = [str(g.value(d, DCTERMS.identifier)) for g in pages for d in g.subjects(RDF.type, DCAT.Dataset)]
    assert sorted(seen) == ["bahia-blanca_presupuesto-2025", "la-plata_obras-publicas", "la-plata_presupuesto-2025"]
    first = URIRef(f"{BASE}/catalog.ttl?page=1")
    assert (first, RDF.type, HYDRA.PagedCollection) in pages[0]
    assert pages[0].value(first, HYDRA.totalItems).toPython() == 3
    assert pages[0].value(first, HYDRA.nextPage) == Literal(f"{BASE}/catalog.ttl?page=2")
    assert pages[0].value(first, HYDRA.lastPage) == Literal(f"{BASE}/catalog.ttl?page=3")
    last = URIRef(f"{BASE}/catalog.ttl?page=3")
    assert pages[2].value(last, HYDRA.nextPage) is None
    assert pages[2].value(last, HYDRA.previousPage) == Literal(f"{BASE}/catalog.ttl?page=2")
    assert client.get("/catalog.ttl?page=4").status_code == 404
    assert client.get("/catalog.ttl?page=cero").status_code == 404


def test_dcat_small_catalog_is_not_paged(client, sample):
    g = _graph(client, "/catalog.ttl", "turtle")

    assert not list(g.subjects(RDF.type, HYDRA.PagedCollection))


def test_dcat_etag_differs_by_page(client, settings, sample):
    settings.DCAT_PAGE_SIZE = 1

    assert client.get("/catalog.ttl?page=1")["ETag"] != client.get("/catalog.ttl?page=2")["ETag"]
