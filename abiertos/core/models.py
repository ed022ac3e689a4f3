from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Module(models.TextChoices):
    """Capabilities a municipality can switch on or off for its portal."""

    CATALOG = "catalog", _("Datos abiertos")
    FOI = "foi", _("Acceso a la información")
    PARTICIPATION = "participation", _("Participación")
    KIT = "kit", _("Kit de apertura")


def default_modules() -> list[str]:
    return [Module.CATALOG.value, Module.FOI.value]


class Province(models.Model):
    code = models.CharField(_("código"), max_length=2, unique=True, help_text=_("Código INDEC de dos dígitos."))
    name = models.CharField(_("nombre"), max_length=120)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provincia")
        verbose_name_plural = _("provincias")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="municipalities")
    code = models.CharField(
        _("código"),
        max_length=10,
        unique=True,
        help_text=_("Código INDEC/georef del departamento o partido, con ceros."),
    )
    name = models.CharField(_("nombre"), max_length=120)
    full_name = models.CharField(_("nombre completo"), max_length=200, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    centroid_lat = models.FloatField(_("latitud del centroide"), null=True, blank=True)
    centroid_lon = models.FloatField(_("longitud del centroide"), null=True, blank=True)
    boundary = models.JSONField(_("límite (GeoJSON)"), null=True, blank=True)
    population = models.PositiveIntegerField(_("población"), null=True, blank=True)
    is_active = models.BooleanField(_("activo"), default=True)

    # Branding and public home, edited by the municipality's own staff.
    intro = models.TextField(_("texto de presentación"), blank=True, max_length=4000)
    primary_color = models.CharField(_("color principal"), max_length=7, default="#1f5f8b")
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True)
    website = models.URLField(_("sitio web oficial"), blank=True)
    contact_email = models.EmailField(_("correo de contacto"), blank=True)

    # Per-municipality policy lives here, not in settings.
    enabled_modules = models.JSONField(_("módulos habilitados"), default=default_modules, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipio")
        verbose_name_plural = _("municipios")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(primary_color__regex=r"^#[0-9a-fA-F]{6}$"), name="municipality_color_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:municipality_home", kwargs={"municipality_slug": self.slug})

    def module_enabled(self, module: str) -> bool:
        return module in (self.enabled_modules or [])


class MunicipalityCodeAlias(models.Model):
    """Another code under which a source file may name a municipality (old or wrong codes)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="code_aliases")
    code = models.CharField(max_length=10, unique=True)
    note = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.code} → {self.municipality.code}"


class AuditEvent(models.Model):
    """One change to data: who, when, what. Append-only."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    via = models.CharField(max_length=20)
    ip = models.CharField(max_length=45, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("evento de auditoría")
        verbose_name_plural = _("eventos de auditoría")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_repr}"
