from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HarvestSource, Schedule, SourceKind
from .services import SourceInput


class SourceForm(forms.Form):
    title = forms.CharField(label=_("Nombre"), max_length=150)
    kind = forms.ChoiceField(label=_("Tipo de fuente"), choices=SourceKind.choices)
    url = forms.URLField(
        label=_("Dirección"),
        max_length=1000,
        assume_scheme="https",
        help_text=HarvestSource._meta.get_field("url").help_text,
    )
    ckan_filter = forms.CharField(
        label=_("Filtro de CKAN (fq)"),
        max_length=300,
        required=False,
        help_text=HarvestSource._meta.get_field("ckan_filter").help_text,
    )
    schedule = forms.ChoiceField(label=_("Frecuencia"), choices=Schedule.choices, initial=Schedule.MANUAL)
    enabled = forms.BooleanField(
        label=_("Habilitada (se cosecha sola según la frecuencia)"),
        required=False,
        help_text=_("Probala primero con la vista previa; habilitala cuando el resultado sea el esperado."),
    )
    send_to_datastore = forms.BooleanField(
        label=_("Cargar los recursos tabulares en el almacén de datos"), required=False
    )
    withdraw_threshold_pct = forms.IntegerField(
        label=_("Umbral de retiro (%)"),
        min_value=0,
        max_value=100,
        initial=20,
        help_text=HarvestSource._meta.get_field("withdraw_threshold_pct").help_text,
    )
    withdraw_grace_days = forms.IntegerField(
        label=_("Días de gracia antes de ocultar un conjunto retirado"), min_value=0, max_value=365, initial=7
    )
    notify_emails = forms.CharField(
        label=_("Correos a notificar"),
        required=False,
        widget=forms.TextInput(),
        help_text=HarvestSource._meta.get_field("notify_emails").help_text,
    )

    @classmethod
    def initial_from(cls, source: HarvestSource) -> dict:
        return {name: getattr(source, name) for name in cls.base_fields}

    def to_input(self) -> SourceInput:
        return SourceInput(**self.cleaned_data)
