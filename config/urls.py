from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from abiertos.api.api import api


def media_serve(request, path):
    """Serve an uploaded file from MEDIA_ROOT as it is now: tests point it at a temporary folder."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("", include("abiertos.portal.urls")),
    path("", include("abiertos.catalog.urls")),
    path("", include("abiertos.datastore.urls")),
    path("", include("abiertos.datastore.query_urls")),
    path("", include("abiertos.catalog.interop_urls")),
    path("", include("abiertos.harvest.urls")),
    path("", include("abiertos.monitoring.urls")),
    path("", include("abiertos.foi.urls")),
    path("cuentas/", include("abiertos.accounts.urls")),
    path("tareas/", include("abiertos.jobs.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("abiertos.ckan_api.urls")),
    path("admin/", admin.site.urls),
    # Uploaded files. In production a front server (or shared object storage) serves MEDIA_ROOT.
    path("media/<path:path>", media_serve),
]
