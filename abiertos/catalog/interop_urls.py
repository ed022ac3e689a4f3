"""Stable machine addresses of the province catalog (site root) and of each municipal catalog."""

from django.urls import path

from . import interop_views as views

app_name = "interop"

ENDPOINTS = [
    ("data.json", views.datajson, "datajson"),
    ("catalog.xlsx", views.catalog_xlsx, "catalog_xlsx"),
    ("catalog.ttl", views.catalog_ttl, "catalog_ttl"),
    ("catalog.rdf", views.catalog_rdfxml, "catalog_rdf"),
    ("catalog.jsonld", views.catalog_jsonld, "catalog_jsonld"),
]

urlpatterns = [path(address, view, name=name) for address, view, name in ENDPOINTS] + [
    path(f"m/<slug:municipality_slug>/{address}", view, name=f"{name}_municipality")
    for address, view, name in ENDPOINTS
]
