from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import import_views, search_views, views
from .feeds import MunicipalityDatasetsFeed, ProvinceDatasetsFeed
from .sitemaps import SITEMAPS

app_name = "catalog"

DATASET = "m/<slug:municipality_slug>/datos/<str:identifier>/"

urlpatterns = [
    path("feeds/datos.atom", ProvinceDatasetsFeed(), name="feed_province"),
    path("m/<slug:municipality_slug>/feeds/datos.atom", MunicipalityDatasetsFeed(), name="feed_municipality"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "catalog:sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("datos/", search_views.search_page, name="search"),
    path("m/<slug:municipality_slug>/datos/", search_views.search_page, name="municipality_datasets"),
    path("m/<slug:municipality_slug>/datos/nuevo/", views.dataset_create, name="dataset_create"),
    path("m/<slug:municipality_slug>/datos/validar/", views.dataset_validate, name="dataset_validate"),
    path("m/<slug:municipality_slug>/datos/papelera/", views.trash, name="trash"),
    path("m/<slug:municipality_slug>/datos/importar/", import_views.catalog_import, name="catalog_import"),
    path(
        "m/<slug:municipality_slug>/datos/importar/<int:job_id>/",
        import_views.catalog_import_job,
        name="catalog_import_job",
    ),
    path(
        "m/<slug:municipality_slug>/datos/importar/<int:job_id>/confirmar/",
        import_views.catalog_import_confirm,
        name="catalog_import_confirm",
    ),
    path(DATASET, views.dataset_detail, name="dataset_detail"),
    path(DATASET + "editar/", views.dataset_edit, name="dataset_edit"),
    path(DATASET + "publicar/", views.dataset_publish, name="dataset_publish"),
    path(DATASET + "despublicar/", views.dataset_unpublish, name="dataset_unpublish"),
    path(DATASET + "historial/", views.dataset_history, name="dataset_history"),
    path(
        DATASET + "historial/<int:number>/restaurar/", views.dataset_revision_restore, name="dataset_revision_restore"
    ),
    path(DATASET + "eliminar/", views.dataset_delete, name="dataset_delete"),
    path(DATASET + "restaurar/", views.dataset_restore, name="dataset_restore"),
    path(DATASET + "recursos/nuevo/", views.distribution_create, name="distribution_create"),
    path(
        DATASET + "recursos/<str:distribution_identifier>/descargar/",
        views.distribution_download,
        name="distribution_download",
    ),
    path(
        DATASET + "recursos/<str:distribution_identifier>/versiones/<int:number>/",
        views.distribution_download,
        name="distribution_download_version",
    ),
]
