"""manage.py search_reindex: rebuild the dataset search index from the catalog."""

import time

from django.core.management.base import BaseCommand, CommandError

from abiertos.catalog.search_index import search_reindex
from abiertos.core.models import Municipality


class Command(BaseCommand):
    help = "Reconstruye el índice de búsqueda de conjuntos de datos (todo, o el de un municipio)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="SLUG", help="Solo los conjuntos de este municipio.")

    def handle(self, *args, municipality=None, verbosity=1, **options):
        target = None
        if municipality:
            target = Municipality.objects.filter(slug=municipality).first()
            if target is None:
                raise CommandError(f"No existe el municipio «{municipality}».")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"{done}/{total}")

        count = search_reindex(municipality=target, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Índice de búsqueda: {count} conjuntos indexados en {elapsed:.1f} s."))
