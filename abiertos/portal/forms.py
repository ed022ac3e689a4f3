from django import forms
from django.utils.translation import gettext_lazy as _

from abiertos.core.models import Module


class MunicipalityProfileForm(forms.Form):
    intro = forms.CharField(
        label=_("Texto de presentación"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Contá en pocas líneas qué publica el municipio y cómo contactarlo. Hasta 4000 caracteres."),
    )
    primary_color = forms.RegexField(
        label=_("Color principal"),
        regex=r"^#[0-9a-fA-F]{6}$",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Se usa en la barra del portal. El texto se ajusta solo para que se lea bien."),
        error_messages={"invalid": _("El color tiene que tener la forma #RRGGBB.")},
    )
    website = forms.URLField(label=_("Sitio web oficial"), required=False, assume_scheme="https")
    contact_email = forms.EmailField(label=_("Correo de contacto"), required=False)
    enabled_modules = forms.MultipleChoiceField(
        label=_("Módulos habilitados"),
        required=False,
        choices=Module.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("Imagen PNG, JPEG o WebP de hasta 512 KB."),
    )
    remove_logo = forms.BooleanField(label=_("Quitar el logo actual"), required=False)
