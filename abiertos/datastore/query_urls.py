"""URLs for reading tables: the dump (CKAN's path) and the public explorer of a distribution's table."""

from django.urls import path

from . import chart_views, dump, explore_views, schema_views

app_name = "datastore_query"

DISTRIBUTION = "m/<slug:municipality_slug>/datos/<str:identifier>/recursos/<str:distribution_identifier>/"

urlpatterns = [
    path("datastore/dump/<str:resource_id>", dump.table_dump, name="dump"),
    path("datos/esquemas/", schema_views.schema_list, name="schema_list"),
    path("datos/esquemas/<slug:slug>/", schema_views.schema_detail, name="schema_detail"),
    path("datos/esquemas/<slug:slug>/descargar.<str:fmt>", schema_views.schema_download, name="schema_download"),
    path("datos/esquemas/<slug:slug>/grafico/", chart_views.schema_chart, name="schema_chart"),
    path("datos/esquemas/<slug:slug>/grafico/embed/", chart_views.schema_chart_embed, name="schema_chart_embed"),
    path(DISTRIBUTION + "explorar/", explore_views.table_explore, name="explore"),
    path(DISTRIBUTION + "explorar/descargar.<str:fmt>", explore_views.table_explore_download, name="explore_download"),
    path(DISTRIBUTION + "grafico/", chart_views.table_chart, name="chart"),
    path(DISTRIBUTION + "grafico/embed/", chart_views.table_chart_embed, name="chart_embed"),
    path(DISTRIBUTION + "grafico.svg", chart_views.table_chart_svg, name="chart_svg"),
]
