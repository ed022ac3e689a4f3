"""manage.py catalog_import: import a data.json or catalog.xlsx into a municipality's catalog."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abiertos.catalog.imports import catalog_import
from abiertos.core.actors import Actor
from abiertos.core.models import Municipality

ACTIONS = {
    "create": gettext_lazy("nuevos"),
    "update": gettext_lazy("a actualizar"),
    "unchanged": gettext_lazy("sin cambios"),
    "invalid": gettext_lazy("con errores"),
}


class Command(BaseCommand):
    help = gettext_lazy(
        "Importa un catálogo entero (data.json o catalog.xlsx) en un municipio. Con --dry-run solo "
        "muestra qué cambiaría y los errores, fila por fila; sin errores, aplica los cambios."
    )

    def add_arguments(self, parser):
        parser.add_argument("municipality", metavar="SLUG")
        parser.add_argument("path", help=gettext_lazy("Archivo data.json o catalog.xlsx."))
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("Mostrar qué cambiaría sin escribir nada.")
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help=gettext_lazy("Importar los conjuntos válidos aunque otros tengan errores."),
        )
        parser.add_argument(
            "--draft", action="store_true", help=gettext_lazy("Dejar los conjuntos nuevos como borrador.")
        )
        parser.add_argument("--json", action="store_true", help=gettext_lazy("Escribir el informe completo en JSON."))

    def handle(self, *args, municipality, path, dry_run, skip_invalid, draft, verbosity=1, **options):
        target = Municipality.objects.filter(slug=municipality).first()
        if target is None:
            raise CommandError(_("No existe el municipio «%(s)s».") % {"s": municipality})
        source = Path(path)
        if not source.is_file():
            raise CommandError(_("No existe el archivo %(p)s.") % {"p": path})
        report = catalog_import(
            municipality=target,
            data=source.read_bytes(),
            filename=source.name,
            by=Actor.system("catalog_import"),
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            publish=not draft,
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._summary(report, verbosity)
        if report.errors and not (skip_invalid and report.applied) and not dry_run:
            raise CommandError(_("No se importó nada: %(n)d errores.") % {"n": len(report.errors)})

    def _summary(self, report, verbosity: int) -> None:
        counts = ", ".join(f"{n} {ACTIONS[action]}" for action, n in report.counts.items())
        mode = _("Simulación") if report.dry_run else (_("Importado") if report.applied else _("Sin cambios"))
        self.stdout.write(f"{mode}: {counts}.")
        for planned in report.datasets:
            if verbosity > 1 or planned.action in ("create", "update"):
                detail = f" ({', '.join(planned.changes)})" if planned.changes else ""
                self.stdout.write(f"  [{planned.action}] {planned.identifier}: {planned.title}{detail}")
        for issue in report.issues:
            if issue.level == "error" or verbosity > 1:
                self.stdout.write(f"  {_('ERROR') if issue.level == 'error' else _('aviso')}: {issue}")
