"""The publisher's corrections to how a file is read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .options import COLUMN_TYPES, DATE_FORMATS, DELIMITERS, ENCODINGS, IngestionSettings

TYPE_LABELS = {
    "string": _("Texto"),
    "integer": _("Número entero"),
    "number": _("Número con decimales"),
    "boolean": _("Verdadero/falso"),
    "date": _("Fecha"),
    "time": _("Hora"),
    "datetime": _("Fecha y hora"),
    "geometry": _("Geometría"),
}
AUTO = [("", _("Detectar"))]


class SettingsForm(forms.Form):
    encoding = forms.ChoiceField(label=_("Codificación"), required=False, choices=AUTO + [(e, e) for e in ENCODINGS])
    delimiter = forms.ChoiceField(
        label=_("Separador de columnas"), required=False, choices=AUTO + [(k, v) for k, v in DELIMITERS.items()]
    )
    header_row = forms.IntegerField(
        label=_("Fila del encabezado"), required=False, min_value=0, help_text=_("0 si el archivo no tiene encabezado.")
    )
    sheet = forms.CharField(label=_("Hoja"), required=False, max_length=200)
    decimal_separator = forms.ChoiceField(
        label=_("Separador decimal"),
        required=False,
        choices=AUTO + [(",", _("coma (1.234,56)")), (".", _("punto (1,234.56)"))],
    )
    date_format = forms.ChoiceField(
        label=_("Formato de fechas"), required=False, choices=AUTO + [(f, f) for f in DATE_FORMATS]
    )

    def __init__(self, *args, columns: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.column_names = [c["name"] for c in columns or []]
        for index, column in enumerate(columns or []):
            self.fields[f"type_{index}"] = forms.ChoiceField(
                label=column["name"], required=False, choices=AUTO + [(t, TYPE_LABELS[t]) for t in COLUMN_TYPES]
            )

    def overrides(self) -> IngestionSettings:
        data = self.cleaned_data
        types = {
            name: data[f"type_{index}"] for index, name in enumerate(self.column_names) if data.get(f"type_{index}")
        }
        return IngestionSettings(
            encoding=data["encoding"] or None,
            delimiter=data["delimiter"] or None,
            header_row=data["header_row"],
            sheet=data["sheet"] or None,
            decimal_separator=data["decimal_separator"] or None,
            date_format=data["date_format"] or None,
            column_types=types,
        )


def initial_from(overrides: dict, columns: list[dict]) -> dict:
    initial = {k: v for k, v in overrides.items() if k != "column_types"}
    for index, column in enumerate(columns):
        initial[f"type_{index}"] = (overrides.get("column_types") or {}).get(column["name"], "")
    return initial
