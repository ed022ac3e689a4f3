"""Forms of the FOI pages: they parse input; the services validate and write."""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abiertos.catalog.models import Theme

from .models import DayKind, FormatChoice, OrdinanceStatus, RefusalGround

# A person needs more than this to read and fill the form; bots post at once.
FORM_MIN_SECONDS = 3
FORM_MAX_SECONDS = 6 * 3600
_SALT = "foi.request-form"


def form_stamp() -> str:
    return signing.dumps(time.time(), salt=_SALT)


def _topic_choices():
    return [("", gettext_lazy("Sin tema / no sé"))] + list(Theme.objects.values_list("identifier", "label"))


class RequestForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Asunto"),
        max_length=200,
        help_text=gettext_lazy("Una línea: por ejemplo «Gasto en alumbrado público 2025»."),
    )
    body = forms.CharField(
        label=gettext_lazy("¿Qué información pedís?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=gettext_lazy("Contá con detalle qué datos o documentos querés y de qué período."),
    )
    preferred_format = forms.ChoiceField(
        label=gettext_lazy("Formato en que preferís recibirla"), choices=FormatChoice.choices
    )
    topic = forms.ChoiceField(label=gettext_lazy("Tema"), required=False, choices=_topic_choices)
    requester_name = forms.CharField(
        label=gettext_lazy("Nombre y apellido"),
        max_length=150,
        help_text=gettext_lazy("No se publica: el público ve solo tus iniciales."),
    )
    requester_id_number = forms.CharField(
        label=gettext_lazy("DNI"),
        max_length=12,
        required=False,
        help_text=gettext_lazy("Lo exige la norma. No se publica nunca."),
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Correo para recibir avisos"), help_text=gettext_lazy("No se publica.")
    )
    # Honeypot: hidden from people (and from assistive technology); bots fill every field.
    website = forms.CharField(label=gettext_lazy("No completes este campo"), required=False)
    stamp = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(
                _("No pudimos recibir el pedido. Volvé a intentarlo sin completar campos ocultos.")
            )
        try:
            started = signing.loads(data.get("stamp", ""), salt=_SALT, max_age=FORM_MAX_SECONDS)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("El formulario venció o fue alterado: recargá la página y volvé a enviarlo.")
            ) from None
        if time.time() - float(started) < FORM_MIN_SECONDS:
            raise forms.ValidationError(_("Enviaste el formulario demasiado rápido; revisalo y volvé a enviarlo."))
        return data


class OrdinanceForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Estado"), choices=OrdinanceStatus.choices)
    number = forms.CharField(label=gettext_lazy("Número"), max_length=40, required=False)
    enacted_on = forms.DateField(
        label=gettext_lazy("Fecha de sanción"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    url = forms.URLField(label=gettext_lazy("Enlace al texto"), required=False, max_length=500, assume_scheme="https")
    response_days = forms.IntegerField(label=gettext_lazy("Plazo de respuesta (días)"), required=False, min_value=1)
    extension_days = forms.IntegerField(label=gettext_lazy("Prórroga (días)"), required=False, min_value=0)
    day_kind = forms.ChoiceField(
        label=gettext_lazy("Tipo de días"), required=False, choices=[("", "—"), *DayKind.choices]
    )
    forward_days = forms.IntegerField(label=gettext_lazy("Plazo para derivar (días)"), required=False, min_value=0)
    requires_id_number = forms.BooleanField(label=gettext_lazy("Exige DNI"), required=False, initial=True)
    complaint_days = forms.IntegerField(label=gettext_lazy("Plazo para reclamar (días)"), required=False, min_value=1)
    review_body = forms.CharField(label=gettext_lazy("Órgano que recibe los reclamos"), required=False, max_length=300)
    notes = forms.CharField(label=gettext_lazy("Notas"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NonWorkingDayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Fecha"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Motivo"), max_length=200)


class ArchiveForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Buscar"), required=False, max_length=200)
    municipio = forms.CharField(required=False, max_length=120)
    estado = forms.CharField(required=False, max_length=30)
    tema = forms.CharField(required=False, max_length=100)
    desde = forms.DateField(label=gettext_lazy("Desde"), required=False)
    hasta = forms.DateField(label=gettext_lazy("Hasta"), required=False)


REFUSAL_CHOICES = RefusalGround.choices


class ProvincialBodyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nombre del organismo"), max_length=200)
    contact_email = forms.EmailField(label=gettext_lazy("Correo de contacto"), required=False)
