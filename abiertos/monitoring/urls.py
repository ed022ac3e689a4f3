from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("apertura/", views.dashboard, name="dashboard"),
    path("apertura/metodologia/", views.methodology, name="methodology"),
    path("apertura/informe/", views.report_province, name="report_province"),
    path("apertura/informe/<str:month>/", views.report_province, name="report_province_month"),
    path("apertura/indice.csv", views.download_csv, name="download_csv"),
    path("apertura/indice.json", views.download_json, name="download_json"),
    path("apertura/recalcular/", views.recompute, name="recompute"),
    path("m/<slug:municipality_slug>/apertura/", views.scorecard, name="scorecard"),
    path("m/<slug:municipality_slug>/apertura/revisar/", views.override, name="override"),
    path("m/<slug:municipality_slug>/apertura/informe/", views.report_municipality, name="report_municipality"),
    path(
        "m/<slug:municipality_slug>/apertura/informe/<str:month>/",
        views.report_municipality,
        name="report_municipality_month",
    ),
]
