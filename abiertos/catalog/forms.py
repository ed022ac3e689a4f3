"""Forms a non-technical official can complete: plain Spanish, sensible defaults."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .inputs import DatasetMetadata, DistributionMetadata
from .models import Theme, identifier_validator
from .vocabularies import DEFAULT_LICENSE, Periodicity, SuperTheme, license_choices


class DatasetForm(forms.Form):
    title = forms.CharField(
        label=_("Título"),
        max_length=100,
        help_text=_("Un nombre corto y claro, como lo buscaría un vecino. Ejemplo: «Presupuesto municipal 2025»."),
    )
    identifier = forms.CharField(
        label=_("Identificador"),
        max_length=100,
        validators=[identifier_validator],
        help_text=_(
            "Se completa solo a partir del título. Va en la dirección web y no se puede cambiar después. "
            "Solo letras sin tilde, números y guiones."
        ),
    )
    description = forms.CharField(
        label=_("Descripción"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Contá qué datos hay, de dónde salen, qué período cubren y para qué pueden servir."),
    )
    super_themes = forms.MultipleChoiceField(
        label=_("Tema global"),
        choices=SuperTheme.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Elegí al menos uno. Es la clasificación que usa el portal nacional datos.gob.ar."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Temas del municipio"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    keywords = forms.CharField(
        label=_("Palabras clave"),
        required=False,
        help_text=_("Separadas por comas. Ejemplo: presupuesto, gasto, hacienda."),
    )
    accrual_periodicity = forms.ChoiceField(
        label=_("¿Cada cuánto se actualizan estos datos?"),
        choices=Periodicity.choices,
        initial=Periodicity.ANNUAL,
    )
    license = forms.ChoiceField(
        label=_("Licencia"),
        choices=license_choices,
        initial=DEFAULT_LICENSE,
        help_text=_(
            "Recomendamos Creative Commons Atribución 4.0: cualquiera puede reutilizar los datos citando la fuente."
        ),
    )
    temporal_start = forms.DateField(
        label=_("Los datos cubren desde"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    temporal_end = forms.DateField(label=_("hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    publisher_name = forms.CharField(
        label=_("Área que publica"),
        required=False,
        max_length=200,
        help_text=_("Si lo dejás vacío, figura el municipio. Ejemplo: «Secretaría de Hacienda»."),
    )
    contact_name = forms.CharField(label=_("Persona o área de contacto"), required=False, max_length=200)
    contact_email = forms.EmailField(label=_("Correo de contacto"), required=False)
    landing_page = forms.URLField(
        label=_("Página web relacionada"), required=False, assume_scheme="https", max_length=500
    )

    def __init__(self, *args, identifier_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [(t.identifier, t.label) for t in Theme.objects.order_by("label")]
        if identifier_locked:
            self.fields["identifier"].disabled = True
            self.fields["identifier"].help_text = _("El identificador no se puede cambiar.")

    def clean(self):
        data = super().clean()
        start, end = data.get("temporal_start"), data.get("temporal_end")
        if bool(start) != bool(end):
            self.add_error("temporal_end" if start else "temporal_start", _("Completá las dos fechas o ninguna."))
        return data

    def to_metadata(self) -> DatasetMetadata:
        d = self.cleaned_data
        start, end = d.get("temporal_start"), d.get("temporal_end")
        return DatasetMetadata(
            identifier=d["identifier"],
            title=d["title"],
            description=d["description"],
            publisher_name=d.get("publisher_name", ""),
            contact_name=d.get("contact_name", ""),
            contact_email=d.get("contact_email", ""),
            super_themes=list(d["super_themes"]),
            themes=list(d.get("themes") or []),
            keywords=[k.strip() for k in (d.get("keywords") or "").split(",") if k.strip()],
            license=d["license"],
            accrual_periodicity=d["accrual_periodicity"],
            temporal=f"{start.isoformat()}/{end.isoformat()}" if start and end else "",
            landing_page=d.get("landing_page", ""),
        )

    @staticmethod
    def initial_from(dataset) -> dict:
        start = end = None
        if dataset.temporal and "/" in dataset.temporal:
            first, last = dataset.temporal.split("/", 1)
            try:
                start, end = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
            except ValueError:
                start = end = None
        return {
            "title": dataset.title,
            "identifier": dataset.identifier,
            "description": dataset.description,
            "super_themes": dataset.super_themes,
            "themes": [t.identifier for t in dataset.themes.all()],
            "keywords": ", ".join(dataset.keywords),
            "accrual_periodicity": dataset.accrual_periodicity,
            "license": dataset.license,
            "temporal_start": start,
            "temporal_end": end,
            "publisher_name": dataset.publisher_name,
            "contact_name": dataset.contact_name,
            "contact_email": dataset.contact_email,
            "landing_page": dataset.landing_page,
        }


class DistributionForm(forms.Form):
    KIND_CHOICES = [("upload", _("Subir un archivo")), ("url", _("Enlazar un archivo publicado en otro sitio"))]

    title = forms.CharField(
        label=_("Título del recurso"),
        max_length=150,
        help_text=_("Ejemplo: «Presupuesto 2025 en CSV» o «Planilla original»."),
    )
    description = forms.CharField(label=_("Descripción"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(
        label=_("¿Cómo lo agregás?"), choices=KIND_CHOICES, widget=forms.RadioSelect, initial="upload"
    )
    file = forms.FileField(
        label=_("Archivo"),
        required=False,
        help_text=_(
            "CSV, XLSX, ODS, JSON, GeoJSON, PDF, ZIP… Si la conexión se corta, la subida sigue desde donde quedó."
        ),
    )
    upload_session = forms.UUIDField(required=False, widget=forms.HiddenInput)
    url = forms.URLField(
        label=_("Dirección del archivo"),
        required=False,
        assume_scheme="https",
        max_length=1000,
        help_text=_("La dirección completa, empezando con https://"),
    )
    format = forms.CharField(
        label=_("Formato"), required=False, max_length=20, help_text=_("Se detecta solo; completalo si no es así.")
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "upload" and not data.get("file") and not data.get("upload_session"):
            self.add_error("file", _("Elegí el archivo que querés subir."))
        if kind == "url" and not data.get("url"):
            self.add_error("url", _("Escribí la dirección del archivo."))
        return data

    def to_metadata(self, identifier: str) -> DistributionMetadata:
        d = self.cleaned_data
        return DistributionMetadata(
            identifier=identifier, title=d["title"], description=d.get("description", ""), format=d.get("format", "")
        )
