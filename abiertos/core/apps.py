from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "abiertos.core"
    label = "core"
    verbose_name = "Territorio y núcleo"
