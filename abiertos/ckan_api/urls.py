from django.urls import path

from . import views

app_name = "ckan_api"

urlpatterns = [
    path("api/3/action/<str:name>", views.action_view, name="action"),
    path("api/action/<str:name>", views.action_view, name="action_unversioned"),
]
