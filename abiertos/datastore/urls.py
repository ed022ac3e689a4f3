from django.urls import path

from . import views

app_name = "datastore"

urlpatterns = [
    path(
        "m/<slug:municipality_slug>/datos/<str:identifier>/recursos/<str:distribution_identifier>/tabla/",
        views.table_detail,
        name="table_detail",
    ),
]
