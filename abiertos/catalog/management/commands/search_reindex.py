"""manage.py search_reindex: rebuild the dataset search index from the catalog."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abiertos.catalog.search_index import search_reindex
from abiertos.core.models import Municipality


class Command(BaseCommand):
    help = gettext_lazy("Reconstruye el índice de búsqueda de conjuntos de datos (todo, o el de un municipio).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality", metavar="SLUG", help=gettext_lazy("Solo los conjuntos de este municipio.")
        )

    def handle(self, *args, municipality=None, verbosity=1, **options):
        target = None
        if municipality:
            target = Municipality.objects.filter(slug=municipality).first()
            if target is None:
                raise CommandError(_("No existe el municipio «%(s)s».") % {"s": municipality})
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"{done}/{total}")

        count = search_reindex(municipality=target, progress=progress)
        elapsed = time.monotonic() - started
        message = _("Índice de búsqueda: %(n)d conjuntos indexados en %(s).1f s.") % {"n": count, "s": elapsed}
        self.stdout.write(self.style.SUCCESS(message))
