"""manage.py export_catalog: write the province's or a municipality's catalog to a file."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abiertos.catalog.datajson import catalog_stream, scope_for_municipality, scope_for_province
from abiertos.catalog.dcat import catalog_rdf
from abiertos.catalog.xlsx_export import catalog_xlsx_write
from abiertos.core.errors import NotFound

FORMATS = {"json": None, "xlsx": None, "ttl": "turtle", "rdf": "rdf", "jsonld": "jsonld"}


class Command(BaseCommand):
    help = gettext_lazy("Exporta el catálogo publicado (provincia o municipio) como data.json, catalog.xlsx o DCAT.")

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="SLUG", help=gettext_lazy("El catálogo de este municipio."))
        parser.add_argument("--format", choices=sorted(FORMATS), default="json")
        parser.add_argument("--page", type=int, default=1, help=gettext_lazy("Página de la exportación DCAT."))
        parser.add_argument("--output", "-o", help=gettext_lazy("Archivo de salida (por omisión, la salida estándar)."))

    def handle(self, *args, municipality=None, format="json", page=1, output=None, **options):
        try:
            scope = scope_for_municipality(municipality) if municipality else scope_for_province()
        except NotFound as exc:
            raise CommandError(exc.message) from exc
        if format == "xlsx":
            if not output:
                raise CommandError(_("Para xlsx indicá un archivo con --output."))
            with open(output, "wb") as out:
                catalog_xlsx_write(scope, out)
            return
        out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        try:
            if format == "json":
                for piece in catalog_stream(scope):
                    out.write(piece)
            else:
                ext = "ttl" if format == "ttl" else format
                out.write(catalog_rdf(scope, FORMATS[format], page=page, page_url=f"{scope.base_url}/catalog.{ext}"))
        except ValueError as exc:
            raise CommandError(_("No existe la página %(n)d.") % {"n": page}) from exc
        finally:
            if output:
                out.close()
