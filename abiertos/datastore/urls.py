from django.urls import path

from . import views

app_name = "datastore"

TABLE = "m/<slug:municipality_slug>/datos/<str:identifier>/recursos/<str:distribution_identifier>/tabla/"

urlpatterns = [
    path(TABLE, views.table_detail, name="table_detail"),
    path(TABLE + "diccionario/", views.table_fields_update, name="table_fields_update"),
    path(TABLE + "esquema/", views.table_schema_update, name="table_schema_update"),
]
