from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "abiertos.catalog"
    label = "catalog"
    verbose_name = "Catálogo de datos abiertos"

    def ready(self) -> None:
        from . import search_index

        search_index.connect_signals()
