from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.province_home, name="province_home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("auditoria/", views.audit_log, name="audit_log"),
    path("m/<slug:municipality_slug>/", views.municipality_home, name="municipality_home"),
    path("m/<slug:municipality_slug>/editar/", views.municipality_edit, name="municipality_edit"),
]
