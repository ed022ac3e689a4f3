from django.urls import path

from . import views

app_name = "harvest"

BASE = "m/<slug:municipality_slug>/cosecha/"

urlpatterns = [
    path("cosecha/", views.province_sources, name="province_sources"),
    path(BASE, views.sources, name="sources"),
    path(BASE + "nueva/", views.source_create, name="source_create"),
    path(BASE + "<int:pk>/", views.source_detail, name="source_detail"),
    path(BASE + "<int:pk>/editar/", views.source_edit, name="source_edit"),
    path(BASE + "<int:pk>/cosechar/", views.source_run, name="source_run"),
    path(BASE + "<int:pk>/baja/", views.source_delete, name="source_delete"),
    path(BASE + "corridas/<int:pk>/", views.run_detail, name="run_detail"),
    path(BASE + "corridas/<int:pk>/confirmar/", views.run_confirm, name="run_confirm"),
]
