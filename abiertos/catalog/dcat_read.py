"""Read DCAT (DCAT-AP, ckanext-dcat, datos.gob.es; Turtle, RDF/XML or JSON-LD) into the same
profile-shaped dict a data.json gives, so imports (and harvesting) treat every source alike.

What maps one to one is mapped: EU data themes are the national super themes, EU frequencies
are the profile's periodicities, our own theme concepts are theme ids. Nothing is invented: a
dataset without a super theme stays without one, and the import reports it.
"""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS

from .dcat import EU_FREQUENCY, EU_THEME, FREQUENCIES
from .vocabularies import SuperTheme

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
PERIODICITY_OF = {v: k for k, v in FREQUENCIES.items()}
RDF_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld", ".n3": "n3", ".nt": "nt"}


def rdf_format_of(filename: str, data: bytes) -> str | None:
    """The rdflib parser for a file, from its name or its first bytes; None if it is not RDF."""
    for suffix, fmt in RDF_FORMATS.items():
        if filename.lower().endswith(suffix):
            return fmt
    head = data[:400].lstrip().lower()
    if head.startswith(b"@prefix") or head.startswith(b"@base"):
        return "turtle"
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:rdf"):
        return "xml"
    return None


def _text(g: Graph, node, *predicates) -> str | None:
    """The first value of the first predicate present, preferring Spanish literals."""
    for predicate in predicates:
        values = list(g.objects(node, predicate))
        if not values:
            continue
        spanish = [v for v in values if isinstance(v, Literal) and (v.language or "").startswith("es")]
        value = (spanish or values)[0]
        return str(value).strip() or None
    return None


def _when(g: Graph, node, predicate) -> str | None:
    value = g.value(node, predicate)
    if value is None:
        return None
    python = value.toPython() if isinstance(value, Literal) else value
    return python.isoformat() if hasattr(python, "isoformat") else str(python)


def _email(value: str | None) -> str | None:
    return value[len("mailto:") :] if value and value.lower().startswith("mailto:") else value


def _agent(g: Graph, node) -> dict:
    if node is None:
        return {}
    agent = {"name": _text(g, node, FOAF.name, SKOS.prefLabel, VCARD.fn, RDFS.label)}
    agent["mbox"] = _email(_text(g, node, FOAF.mbox, VCARD.hasEmail))
    return {k: v for k, v in agent.items() if v}


def _themes(g: Graph, dataset) -> tuple[list[str], list[str]]:
    super_themes, themes = [], []
    for theme in g.objects(dataset, DCAT.theme):
        uri = str(theme)
        if uri.startswith(EU_THEME) and uri[len(EU_THEME) :] in SuperTheme.values:
            super_themes.append(uri[len(EU_THEME) :])
        elif "/themeTaxonomy#" in uri:
            themes.append(uri.rsplit("#", 1)[1])
    return super_themes, themes


def _periodicity(g: Graph, dataset) -> str | None:
    frequency = g.value(dataset, DCTERMS.accrualPeriodicity)
    if frequency is None:
        return None
    if str(frequency).startswith(EU_FREQUENCY):
        return PERIODICITY_OF.get(str(frequency)[len(EU_FREQUENCY) :])
    return _text(g, frequency, DCTERMS.identifier) if isinstance(frequency, URIRef) else str(frequency)


def _temporal(g: Graph, dataset) -> str | None:
    period = g.value(dataset, DCTERMS.temporal)
    if period is None:
        return None
    start = _when(g, period, DCAT.startDate) or _when(g, period, SCHEMA.startDate)
    end = _when(g, period, DCAT.endDate) or _when(g, period, SCHEMA.endDate)
    return f"{start[:10]}/{end[:10]}" if start and end else None


def _format(g: Graph, distribution) -> str | None:
    fmt = g.value(distribution, DCTERMS["format"])
    if fmt is None:
        return None
    if isinstance(fmt, Literal):
        return str(fmt)
    label = _text(g, fmt, RDFS.label, RDF.value)
    return label if label and "/" not in label else str(fmt).rstrip("/").rsplit("/", 1)[-1]


def _distribution(g: Graph, node) -> dict:
    media = g.value(node, DCAT.mediaType)
    size = g.value(node, DCAT.byteSize)
    license_uri = g.value(node, DCTERMS.license)
    entry = {
        "identifier": _text(g, node, DCTERMS.identifier),
        "title": _text(g, node, DCTERMS.title),
        "description": _text(g, node, DCTERMS.description),
        "downloadURL": _text(g, node, DCAT.downloadURL),
        "accessURL": _text(g, node, DCAT.accessURL),
        "format": _format(g, node),
        "mediaType": str(media).rsplit("media-types/", 1)[-1] if media is not None else None,
        "byteSize": int(float(size)) if size is not None else None,
        "license": str(license_uri) if license_uri is not None else None,
        "issued": _when(g, node, DCTERMS.issued),
        "modified": _when(g, node, DCTERMS.modified),
    }
    return {k: v for k, v in entry.items() if v not in (None, "")}


def _dataset(g: Graph, node) -> dict:
    super_themes, themes = _themes(g, node)
    contact = g.value(node, DCAT.contactPoint)
    distributions = [_distribution(g, d) for d in g.objects(node, DCAT.distribution)]
    license_uri = g.value(node, DCTERMS.license)
    entry = {
        "identifier": _text(g, node, DCTERMS.identifier) or (str(node) if isinstance(node, URIRef) else None),
        "title": _text(g, node, DCTERMS.title),
        "description": _text(g, node, DCTERMS.description),
        "publisher": _agent(g, g.value(node, DCTERMS.publisher)),
        "contactPoint": {"fn": _text(g, contact, VCARD.fn), "hasEmail": _email(_text(g, contact, VCARD.hasEmail))}
        if contact is not None
        else None,
        "superTheme": super_themes,
        "theme": themes,
        "keyword": sorted({str(k).strip() for k in g.objects(node, DCAT.keyword)}),
        "accrualPeriodicity": _periodicity(g, node),
        "issued": _when(g, node, DCTERMS.issued),
        "modified": _when(g, node, DCTERMS.modified),
        "temporal": _temporal(g, node),
        "spatial": _text(g, g.value(node, DCTERMS.spatial), DCTERMS.identifier)
        if g.value(node, DCTERMS.spatial) is not None
        else None,
        "landingPage": _text(g, node, DCAT.landingPage),
        "license": str(license_uri)
        if license_uri is not None
        else next((d["license"] for d in distributions if "license" in d), None),
        "distribution": sorted(distributions, key=lambda d: d.get("identifier") or ""),
    }
    return {k: v for k, v in entry.items() if v not in (None, "", {})}


def dcat_catalog_read(data: bytes, rdf_format: str) -> dict:
    """The catalog in a DCAT document as a profile-shaped dict (raises ValueError if unparsable)."""
    try:
        g = Graph().parse(data=data, format=rdf_format)
    except Exception as exc:
        raise ValueError(str(exc)) from exc
    catalog_node = next(iter(g.subjects(RDF.type, DCAT.Catalog)), None)
    catalog: dict = {}
    if catalog_node is not None:
        catalog = {
            "title": _text(g, catalog_node, DCTERMS.title),
            "description": _text(g, catalog_node, DCTERMS.description),
            "publisher": _agent(g, g.value(catalog_node, DCTERMS.publisher)),
        }
    datasets = sorted(set(g.subjects(RDF.type, DCAT.Dataset)), key=str)
    catalog["dataset"] = [_dataset(g, node) for node in datasets]
    return catalog
