from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "abiertos.accounts"
    label = "accounts"
    verbose_name = "Cuentas y roles"
