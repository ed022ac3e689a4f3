"""Load the municipalities of a province: by default the 135 partidos of Buenos Aires."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import DomainError
from abiertos.core.territory import (
    DEFAULT_ALIASES_FILE,
    DEFAULT_CODE_WIDTH,
    DEFAULT_PROVINCE_CODE,
    DEFAULT_PROVINCE_NAME,
    DEFAULT_TERRITORY_FILE,
    TerritoryReport,
    code_normalize,
)
from abiertos.core.territory_sources import alias_option_parse, aliases_file_read, territory_file_read
from abiertos.portal.territory import territory_load

# Command-line option for the column/property that holds each field.
FIELD_OPTIONS = {
    "code": "--code-field",
    "name": "--name-field",
    "full_name": "--full-name-field",
    "centroid_lat": "--lat-field",
    "centroid_lon": "--lon-field",
    "province_code": "--province-field",
}


def report_write(command: BaseCommand, report: TerritoryReport, *, as_json: bool) -> None:
    """Print the report as JSON or as lines for a person."""
    if as_json:
        command.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    for line in report.lines():
        command.stdout.write(line)


class Command(BaseCommand):
    help = (
        "Carga o actualiza los municipios de una provincia desde un CSV o GeoJSON (por defecto, los 135 partidos "
        "de Buenos Aires incluidos). Nunca borra municipios ni aplica filas dudosas: las informa."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="CSV o GeoJSON con los municipios (por defecto, el incluido).")
        parser.add_argument("--province-code", default=DEFAULT_PROVINCE_CODE, help="Código de la provincia (06).")
        parser.add_argument("--province-name", default="", help="Nombre de la provincia, si hay que crearla.")
        for field, option in FIELD_OPTIONS.items():
            parser.add_argument(option, dest=f"{field}_field", help=f"Columna o propiedad con «{field}».")
        parser.add_argument("--code-width", type=int, default=DEFAULT_CODE_WIDTH, help="Largo de los códigos (5).")
        parser.add_argument(
            "--alias", action="append", default=[], metavar="VIEJO=NUEVO", help="Registra un código alternativo."
        )
        parser.add_argument("--dry-run", action="store_true", help="Solo informa; no guarda nada.")
        parser.add_argument("--json", action="store_true", help="Informe en JSON.")

    def handle(self, *args, **options):
        try:
            report = self._load(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        report_write(self, report, as_json=options["json"])

    def _load(self, options) -> TerritoryReport:
        width = options["code_width"]
        path = options["file"] or DEFAULT_TERRITORY_FILE
        province_code = code_normalize(options["province_code"], width=2)[0]
        province_name = options["province_name"]
        aliases = [alias_option_parse(value, code_width=width) for value in options["alias"]]
        if options["file"] is None:
            aliases = aliases_file_read(DEFAULT_ALIASES_FILE, code_width=width) + aliases
        if not province_name and province_code == DEFAULT_PROVINCE_CODE:
            province_name = DEFAULT_PROVINCE_NAME
        fields = {field: options[f"{field}_field"] for field in FIELD_OPTIONS}
        rows, warnings = territory_file_read(path, fields=fields, code_width=width)
        if not options["json"]:
            self.stdout.write(_("Territorio desde %(path)s: %(n)d filas leídas.") % {"path": path, "n": len(rows)})
        return territory_load(
            rows=rows,
            province_code=province_code,
            province_name=province_name,
            aliases=aliases,
            read_warnings=warnings,
            dry_run=options["dry_run"],
            source=str(path),
            by=Actor.system("cli"),
        )
