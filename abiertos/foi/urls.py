from django.urls import path

from . import views

app_name = "foi"

M = "m/<slug:municipality_slug>/pedidos/"
R = M + "<str:number>/"
B = "provincia/organismos/<slug:body_slug>/pedidos/"
BR = B + "<str:number>/"

urlpatterns = [
    path("pedidos/", views.archive, name="archive"),
    path("pedidos/estadisticas/", views.statistics, name="statistics"),
    path("pedidos/mios/", views.my_requests, name="my_requests"),
    path("pedidos/moderacion/", views.moderation, name="moderation"),
    path("provincia/organismos/", views.bodies, name="bodies"),
    path("provincia/pedidos/bandeja/", views.inbox, name="bodies_inbox"),
    path(B + "nuevo/", views.request_new, name="body_request_new"),
    path(BR, views.request_detail, name="body_request_detail"),
    path(
        BR + "adjuntos/<int:attachment_id>/<str:variant>/", views.attachment_download, name="body_attachment_download"
    ),
    path(BR + "<str:action>/", views.request_action, name="body_request_action"),
    path(M, views.municipality_requests, name="municipality_requests"),
    path(M + "nuevo/", views.request_new, name="request_new"),
    path(M + "estadisticas/", views.municipality_statistics, name="municipality_statistics"),
    path(M + "bandeja/", views.inbox, name="inbox"),
    path(M + "reglas/", views.rules, name="rules"),
    path(M + "reglas/asuetos/<int:day_id>/quitar/", views.non_working_day_remove, name="non_working_day_remove"),
    path(R, views.request_detail, name="request_detail"),
    path(R + "adjuntos/<int:attachment_id>/<str:variant>/", views.attachment_download, name="attachment_download"),
    path(R + "<str:action>/", views.request_action, name="request_action"),
]
