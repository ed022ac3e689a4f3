"""The catalog as DCAT-AP 3 RDF (Turtle, RDF/XML, JSON-LD), built with rdflib.

Built from the same profile entries as data.json, one page of datasets at a time; a paged catalog
describes itself with a hydra:PagedCollection, as ckanext-dcat does (``?page=N``). Super themes are
the EU data themes (the national codes are the same), themes are concepts of our taxonomy.
"""

from __future__ import annotations

from django.conf import settings
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from .checks import parse_when
from .datajson import CatalogScope, catalog_header, catalog_version, dataset_entries

ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
IANA_MEDIA = "https://www.iana.org/assignments/media-types/"

FORMATS = {
    "turtle": ("text/turtle; charset=utf-8", "turtle"),
    "rdf": ("application/rdf+xml; charset=utf-8", "xml"),
    "jsonld": ("application/ld+json; charset=utf-8", "json-ld"),
}
FREQUENCIES = {
    "R/P10Y": "DECENNIAL",
    "R/P4Y": "QUADRENNIAL",
    "R/P3Y": "TRIENNIAL",
    "R/P2Y": "BIENNIAL",
    "R/P1Y": "ANNUAL",
    "R/P6M": "ANNUAL_2",
    "R/P4M": "ANNUAL_3",
    "R/P3M": "QUARTERLY",
    "R/P2M": "BIMONTHLY",
    "R/P1M": "MONTHLY",
    "R/P0.5M": "MONTHLY_2",
    "R/P0.33M": "MONTHLY_3",
    "R/P1W": "WEEKLY",
    "R/P0.5W": "WEEKLY_2",
    "R/P0.33W": "WEEKLY_3",
    "R/P1D": "DAILY",
    "R/PT1H": "HOURLY",
    "R/PT1S": "CONT",
    "eventual": "IRREG",
}
LANGUAGES = {"spa": "SPA", "es": "SPA", "eng": "ENG", "en": "ENG"}


def theme_uri(theme_id: str) -> URIRef:
    return URIRef(f"{settings.SITE_URL}/themeTaxonomy#{theme_id}")


def _when(value) -> Literal | None:
    moment = parse_when(value)
    if moment is None:
        return None
    if len(value) == 10:
        return Literal(value, datatype=XSD.date)
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def _es(text: str) -> Literal:
    return Literal(text, lang="es")


class _Builder:
    def __init__(self):
        self.g = Graph()
        for prefix, ns in (
            ("dcat", DCAT),
            ("dct", DCTERMS),
            ("foaf", FOAF),
            ("vcard", VCARD),
            ("adms", ADMS),
            ("spdx", SPDX),
            ("skos", SKOS),
            ("hydra", HYDRA),
        ):
            self.g.bind(prefix, ns)

    def add(self, s, p, o) -> None:
        if o not in (None, ""):
            self.g.add((s, p, o if isinstance(o, URIRef | BNode | Literal) else Literal(o)))

    def agent(self, publisher: dict) -> BNode:
        node = BNode()
        self.add(node, RDF.type, FOAF.Agent)
        self.add(node, FOAF.name, publisher.get("name"))
        if publisher.get("mbox"):
            self.add(node, FOAF.mbox, URIRef(f"mailto:{publisher['mbox']}"))
        return node

    def catalog(self, header: dict, uri: URIRef) -> None:
        g = self.add
        g(uri, RDF.type, DCAT.Catalog)
        g(uri, DCTERMS.identifier, header.get("identifier"))
        g(uri, DCTERMS.title, _es(header["title"]))
        g(uri, DCTERMS.description, _es(header["description"]))
        g(uri, DCTERMS.publisher, self.agent(header.get("publisher") or {}))
        g(uri, FOAF.homepage, URIRef(header["homepage"]))
        g(uri, DCTERMS.modified, _when(header.get("modified")))
        g(uri, DCTERMS.language, URIRef(EU_LANGUAGE + "SPA"))
        g(uri, DCAT.themeTaxonomy, URIRef(EU_THEME[:-1]))
        scheme = URIRef(f"{settings.SITE_URL}/themeTaxonomy")
        g(uri, DCAT.themeTaxonomy, scheme)
        g(scheme, RDF.type, SKOS.ConceptScheme)
        g(scheme, DCTERMS.title, _es("Temas"))
        for theme in header.get("themeTaxonomy") or []:
            concept = theme_uri(theme["id"])
            g(concept, RDF.type, SKOS.Concept)
            g(concept, SKOS.notation, theme["id"])
            g(concept, SKOS.prefLabel, _es(theme.get("label") or theme["id"]))
            g(concept, SKOS.definition, _es(theme["description"]) if theme.get("description") else None)
            g(concept, SKOS.inScheme, scheme)

    def dataset(self, entry: dict, catalog: URIRef) -> None:
        g = self.add
        uri = URIRef(entry["_uri"])
        g(catalog, DCAT.dataset, uri)
        g(uri, RDF.type, DCAT.Dataset)
        g(uri, DCTERMS.identifier, entry["identifier"])
        g(uri, DCTERMS.title, _es(entry["title"]))
        g(uri, DCTERMS.description, _es(entry["description"]))
        g(uri, DCTERMS.publisher, self.agent(entry.get("publisher") or {}))
        self.contact(uri, entry.get("contactPoint"))
        for code in entry.get("superTheme") or []:
            g(uri, DCAT.theme, URIRef(EU_THEME + code))
        for theme in entry.get("theme") or []:
            g(uri, DCAT.theme, theme_uri(theme))
        for keyword in entry.get("keyword") or []:
            g(uri, DCAT.keyword, _es(keyword))
        self.frequency(uri, entry.get("accrualPeriodicity"))
        g(uri, DCTERMS.issued, _when(entry.get("issued")))
        g(uri, DCTERMS.modified, _when(entry.get("modified")))
        self.temporal(uri, entry.get("temporal"))
        self.spatial(uri, entry.get("spatial"))
        if entry.get("landingPage"):
            g(uri, DCAT.landingPage, URIRef(entry["landingPage"]))
        for lang in entry.get("language") or []:
            g(uri, DCTERMS.language, URIRef(EU_LANGUAGE + LANGUAGES.get(lang, lang.upper())))
        for dist in entry.get("distribution") or []:
            self.distribution(uri, dist)

    def contact(self, dataset: URIRef, contact: dict | None) -> None:
        if not contact:
            return
        node = BNode()
        self.add(dataset, DCAT.contactPoint, node)
        self.add(node, RDF.type, VCARD.Kind)
        self.add(node, VCARD.fn, contact.get("fn"))
        if contact.get("hasEmail"):
            self.add(node, VCARD.hasEmail, URIRef(f"mailto:{contact['hasEmail']}"))

    def frequency(self, dataset: URIRef, periodicity: str | None) -> None:
        if periodicity in FREQUENCIES:
            node = URIRef(EU_FREQUENCY + FREQUENCIES[periodicity])
            self.add(dataset, DCTERMS.accrualPeriodicity, node)
            self.add(node, RDF.type, DCTERMS.Frequency)
            self.add(node, DCTERMS.identifier, periodicity)

    def temporal(self, dataset: URIRef, temporal: str | None) -> None:
        if not temporal or "/" not in temporal:
            return
        start, end = temporal.split("/", 1)
        node = BNode()
        self.add(dataset, DCTERMS.temporal, node)
        self.add(node, RDF.type, DCTERMS.PeriodOfTime)
        self.add(node, DCAT.startDate, _when(start))
        self.add(node, DCAT.endDate, _when(end))

    def spatial(self, dataset: URIRef, spatial: str | None) -> None:
        if not spatial:
            return
        node = BNode()
        self.add(dataset, DCTERMS.spatial, node)
        self.add(node, RDF.type, DCTERMS.Location)
        self.add(node, DCTERMS.identifier, spatial)

    def distribution(self, dataset: URIRef, dist: dict) -> None:
        g = self.add
        uri = URIRef(f"{dataset}#{dist['identifier']}")
        g(dataset, DCAT.distribution, uri)
        g(uri, RDF.type, DCAT.Distribution)
        g(uri, DCTERMS.identifier, dist["identifier"])
        g(uri, DCTERMS.title, _es(dist["title"]))
        g(uri, DCTERMS.description, _es(dist["description"]) if dist.get("description") else None)
        g(uri, DCAT.accessURL, URIRef(dist["accessURL"]) if dist.get("accessURL") else None)
        g(uri, DCAT.downloadURL, URIRef(dist["downloadURL"]) if dist.get("downloadURL") else None)
        if dist.get("format"):
            g(uri, DCTERMS.format, URIRef(EU_FILE_TYPE + dist["format"].upper()))
        if dist.get("mediaType"):
            g(uri, DCAT.mediaType, URIRef(IANA_MEDIA + dist["mediaType"]))
        if dist.get("byteSize") is not None:
            g(uri, DCAT.byteSize, Literal(dist["byteSize"], datatype=XSD.nonNegativeInteger))
        if dist.get("_license_url"):
            g(uri, DCTERMS.license, URIRef(dist["_license_url"]))
        g(uri, DCTERMS.issued, _when(dist.get("issued")))
        g(uri, DCTERMS.modified, _when(dist.get("modified")))
        if dist.get("_checksum"):
            node = BNode()
            g(uri, SPDX.checksum, node)
            g(node, RDF.type, SPDX.Checksum)
            g(node, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
            g(node, SPDX.checksumValue, Literal(dist["_checksum"], datatype=XSD.hexBinary))

    def paging(self, page_url: str, page: int, last: int, total: int, size: int) -> None:
        node = URIRef(f"{page_url}?page={page}")
        g = self.add
        g(node, RDF.type, HYDRA.PagedCollection)
        g(node, HYDRA.totalItems, Literal(total, datatype=XSD.integer))
        g(node, HYDRA.itemsPerPage, Literal(size, datatype=XSD.integer))
        g(node, HYDRA.firstPage, f"{page_url}?page=1")
        g(node, HYDRA.lastPage, f"{page_url}?page={last}")
        if page > 1:
            g(node, HYDRA.previousPage, f"{page_url}?page={page - 1}")
        if page < last:
            g(node, HYDRA.nextPage, f"{page_url}?page={page + 1}")


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def catalog_graph(scope: CatalogScope, *, page: int = 1, page_url: str, size: int | None = None) -> Graph:
    """One page of the scope's catalog as a DCAT-AP graph (raises ValueError past the last page)."""
    size = size or settings.DCAT_PAGE_SIZE
    total, _ = catalog_version(scope)
    last = page_count(total, size)
    if not 1 <= page <= last:
        raise ValueError(page)
    builder = _Builder()
    catalog_uri = URIRef(scope.base_url + "/")
    builder.catalog(catalog_header(scope), catalog_uri)
    for entry in dataset_entries(scope, offset=(page - 1) * size, limit=size, extras=True):
        builder.dataset(entry, catalog_uri)
    if total > size:
        builder.paging(page_url, page, last, total, size)
    return builder.g


def catalog_rdf(scope: CatalogScope, fmt: str, *, page: int = 1, page_url: str) -> str:
    """The page serialized as ``turtle``, ``rdf`` (RDF/XML) or ``jsonld``."""
    return catalog_graph(scope, page=page, page_url=page_url).serialize(format=FORMATS[fmt][1])
