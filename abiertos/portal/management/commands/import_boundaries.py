"""Import municipality boundaries from a GeoJSON file or URL, joined to municipalities by code."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import DomainError
from abiertos.core.territory import DEFAULT_CODE_WIDTH, TerritoryReport
from abiertos.core.territory_sources import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    alias_option_parse,
    boundaries_source_read,
    boundary_features_read,
)
from abiertos.portal.territory import municipality_boundaries_import

from .load_territory import report_write


class Command(BaseCommand):
    help = (
        "Importa los límites de los municipios desde un GeoJSON (archivo o URL http/https). Une cada elemento "
        "con su municipio por código; los límites son opcionales y todo funciona sin ellos."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Ruta de un archivo GeoJSON o URL http(s).")
        parser.add_argument("--id-field", default="id", help="Propiedad con el código del municipio (id).")
        parser.add_argument(
            "--name-field", default="nombre", help="Propiedad con el nombre, para detectar códigos cruzados (nombre)."
        )
        parser.add_argument("--code-width", type=int, default=DEFAULT_CODE_WIDTH, help="Largo de los códigos (5).")
        parser.add_argument(
            "--alias", action="append", default=[], metavar="VIEJO=NUEVO", help="Registra un código alternativo."
        )
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="Segundos de espera para una URL.")
        parser.add_argument(
            "--max-mb", type=int, default=DEFAULT_MAX_BYTES // (1024 * 1024), help="Tamaño máximo en MB (50)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Solo informa; no guarda nada.")
        parser.add_argument("--json", action="store_true", help="Informe en JSON.")

    def handle(self, *args, **options):
        try:
            report = self._import(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        report_write(self, report, as_json=options["json"])

    def _import(self, options) -> TerritoryReport:
        width = options["code_width"]
        aliases = [alias_option_parse(value, code_width=width) for value in options["alias"]]
        raw = boundaries_source_read(
            options["source"], max_bytes=options["max_mb"] * 1024 * 1024, timeout=options["timeout"]
        )
        features, warnings = boundary_features_read(
            raw, id_field=options["id_field"], name_field=options["name_field"], code_width=width
        )
        if not options["json"]:
            message = _("Límites desde %(source)s: %(n)d elementos con geometría.")
            self.stdout.write(message % {"source": options["source"], "n": len(features)})
        return municipality_boundaries_import(
            features=features,
            aliases=aliases,
            read_warnings=warnings,
            dry_run=options["dry_run"],
            source=options["source"],
            by=Actor.system("cli"),
        )
