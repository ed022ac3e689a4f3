"""Access-to-information requests: the rules of each jurisdiction, the requests, their append-only
timeline, attachments with their privacy check, and the counters and reports that guard against abuse."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from abiertos.catalog import text
from abiertos.catalog.models import Dataset, Theme
from abiertos.core.models import Municipality, Province

from .privacy import pdf_unresolved


class DayKind(models.TextChoices):
    BUSINESS = "business", _("días hábiles")
    CALENDAR = "calendar", _("días corridos")


class OrdinanceStatus(models.TextChoices):
    IN_FORCE = "in_force", _("Vigente")
    IN_PROGRESS = "in_progress", _("En tratamiento")
    NONE = "none", _("Sin ordenanza")


class AccessOrdinance(models.Model):
    """A municipality's access-to-information ordinance; when in force, its terms override the
    province's default rule (blank terms keep the default)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="access_ordinance")
    status = models.CharField(_("estado"), max_length=20, choices=OrdinanceStatus.choices, default=OrdinanceStatus.NONE)
    number = models.CharField(_("número"), max_length=40, blank=True)
    enacted_on = models.DateField(_("fecha de sanción"), null=True, blank=True)
    url = models.URLField(_("enlace al texto"), blank=True, max_length=500)
    response_days = models.PositiveSmallIntegerField(_("plazo de respuesta"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("prórroga"), null=True, blank=True)
    day_kind = models.CharField(_("tipo de días"), max_length=10, choices=DayKind.choices, blank=True)
    forward_days = models.PositiveSmallIntegerField(_("plazo para derivar"), null=True, blank=True)
    requires_id_number = models.BooleanField(_("exige DNI"), default=True)
    complaint_days = models.PositiveSmallIntegerField(_("plazo para reclamar"), null=True, blank=True)
    review_body = models.CharField(_("órgano que recibe los reclamos"), max_length=300, blank=True)
    notes = models.TextField(_("notas"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ordenanza de acceso a la información")
        verbose_name_plural = _("ordenanzas de acceso a la información")

    def __str__(self) -> str:
        return f"{self.municipality} · {self.number or self.get_status_display()}"


class NonWorkingDay(models.Model):
    """A municipal non-working day ("asueto"): it does not count as a business day there."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="non_working_days")
    date = models.DateField(_("fecha"))
    reason = models.CharField(_("motivo"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("día no laborable municipal")
        verbose_name_plural = _("días no laborables municipales")
        constraints = [models.UniqueConstraint(fields=["municipality", "date"], name="foi_nonworking_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class ProvincialBody(models.Model):
    """A body of the provincial government that receives requests (a ministry, an agency).
    The province's default rule governs it; provincial admins handle its requests."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="foi_bodies")
    name = models.CharField(_("nombre"), max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    contact_email = models.EmailField(_("correo de contacto"), blank=True)
    is_active = models.BooleanField(_("activo"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organismo provincial")
        verbose_name_plural = _("organismos provinciales")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    """Where the request is in its process (separate from how it ended: ``Outcome``)."""

    FILED = "filed", _("Presentado")
    ACKNOWLEDGED = "acknowledged", _("En trámite")
    AWAITING_CLARIFICATION = "awaiting_clarification", _("Esperando aclaración")
    FORWARDED = "forwarded", _("Derivado a otro organismo")
    CLOSED = "closed", _("Cerrado")


OPEN_STATUSES = (Status.FILED, Status.ACKNOWLEDGED, Status.AWAITING_CLARIFICATION)


class Outcome(models.TextChoices):
    NONE = "", _("Sin resultado todavía")
    ANSWERED_FULL = "answered_full", _("Respondido")
    ANSWERED_PARTIAL = "answered_partial", _("Respondido en parte")
    REFUSED = "refused", _("Denegado")
    NOT_HELD = "not_held", _("Información inexistente")
    WITHDRAWN = "withdrawn", _("Retirado por quien lo pidió")


RESPONSE_OUTCOMES = (Outcome.ANSWERED_FULL, Outcome.ANSWERED_PARTIAL, Outcome.REFUSED, Outcome.NOT_HELD)


class RefusalGround(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Datos personales de terceros")
    SECURITY = "security", _("Seguridad o defensa")
    JUDICIAL = "judicial", _("Actuaciones judiciales en trámite")
    COMMERCIAL = "commercial", _("Secreto comercial o industrial")
    DELIBERATIVE = "deliberative", _("Documentos preparatorios (deliberación en curso)")
    OTHER = "other", _("Otra excepción legal")


class FormatChoice(models.TextChoices):
    ANY = "any", _("Cualquiera")
    SPREADSHEET = "spreadsheet", _("Planilla (CSV, XLSX u ODS)")
    DOCUMENT = "document", _("Documento (PDF o texto)")
    PAPER = "paper", _("Copia en papel")


# The texts the public reads; their search terms are kept in ``FoiRequest.search_terms``.
PUBLIC_TEXT_FIELDS = ("public_subject", "public_body", "public_answer")


class FoiRequest(models.Model):
    # Addressed to a municipality or to a provincial body: exactly one of the two.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="foi_requests", null=True, blank=True
    )
    provincial_body = models.ForeignKey(
        ProvincialBody, on_delete=models.PROTECT, related_name="foi_requests", null=True, blank=True
    )
    number = models.CharField(_("número de seguimiento"), max_length=20)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="foi_requests")
    # Private: only the requester, the municipality's officers and provincial admins see these.
    requester_name = models.CharField(_("nombre y apellido"), max_length=150)
    requester_id_number = models.CharField(_("DNI"), max_length=12, blank=True)
    contact_email = models.EmailField(_("correo para avisos"))
    pseudonym = models.CharField(_("seudónimo público"), max_length=40)

    subject = models.CharField(_("asunto"), max_length=200)
    body = models.TextField(_("qué información pedís"), max_length=5000)
    preferred_format = models.CharField(
        _("formato preferido"), max_length=20, choices=FormatChoice.choices, default=FormatChoice.ANY
    )
    # What the public reads: the same texts with the requester's data and other personal data masked.
    public_subject = models.CharField(max_length=200)
    public_body = models.TextField()
    topic = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="foi_requests", verbose_name=_("tema")
    )

    status = models.CharField(max_length=30, choices=Status.choices, default=Status.FILED, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.NONE, blank=True)
    file_number = models.CharField(_("número de expediente"), max_length=60, blank=True)

    # The rule applied, copied when filed so later changes to the rule do not move old deadlines.
    rule_source = models.CharField(max_length=300)
    response_days = models.PositiveSmallIntegerField()
    extension_days = models.PositiveSmallIntegerField()
    day_kind = models.CharField(max_length=10, choices=DayKind.choices)
    complaint_days = models.PositiveSmallIntegerField(default=40)
    review_body = models.CharField(max_length=300, blank=True)  # where a complaint goes; blank: the rule's

    filed_at = models.DateTimeField(db_index=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)  # None while the clock is stopped
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    clock_stopped_on = models.DateField(null=True, blank=True)
    pauses = models.JSONField(default=list, blank=True)  # [[from, to], ...] ISO dates, both inclusive
    forwarded_to = models.CharField(max_length=200, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    answer_text = models.TextField(blank=True)
    public_answer = models.TextField(blank=True)
    # The public texts' search terms (unaccented, stemmed: catalog.text), padded with spaces so that a
    # term is found as `` term ``; kept in line by save(), read by the archive's text search.
    search_terms = models.TextField(blank=True, default="", editable=False)
    refusal_ground = models.CharField(max_length=20, choices=RefusalGround.choices, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)

    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="foi_requests")
    is_demo = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("pedido de acceso a la información")
        verbose_name_plural = _("pedidos de acceso a la información")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"],
                condition=models.Q(municipality__isnull=False),
                name="foi_request_number_unique",
            ),
            models.UniqueConstraint(
                fields=["provincial_body", "number"],
                condition=models.Q(provincial_body__isnull=False),
                name="foi_body_request_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=True, provincial_body__isnull=False)
                | models.Q(municipality__isnull=False, provincial_body__isnull=True),
                name="foi_request_one_authority",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""), name="foi_closed_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.subject}"

    def save(self, *args, **kwargs):
        self.search_terms = self.search_terms_compute()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(PUBLIC_TEXT_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_terms"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.provincial_body_id:
            return reverse(
                "foi:body_request_detail", kwargs={"body_slug": self.provincial_body.slug, "number": self.number}
            )
        return reverse(
            "foi:request_detail", kwargs={"municipality_slug": self.municipality.slug, "number": self.number}
        )

    def search_terms_compute(self) -> str:
        found = text.terms_text(self.public_subject, self.public_body, self.public_answer)
        return f" {found} " if found else ""

    @property
    def authority(self):
        """Who the request is addressed to: the municipality or the provincial body."""
        return self.provincial_body if self.provincial_body_id else self.municipality

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    FILED = "filed", _("Pedido presentado")
    ACKNOWLEDGED = "acknowledged", _("Recibido, con número de expediente")
    CLARIFICATION_REQUESTED = "clarification_requested", _("Se pidió una aclaración (el plazo se detiene)")
    CLARIFIED = "clarified", _("Aclaración recibida (el plazo sigue)")
    EXTENDED = "extended", _("Plazo prorrogado")
    FORWARDED = "forwarded", _("Derivado a otro organismo")
    ANSWERED = "answered", _("Respondido")
    REFUSED = "refused", _("Denegado")
    NOT_HELD = "not_held", _("Información inexistente")
    WITHDRAWN = "withdrawn", _("Retirado por quien lo pidió")
    COMPLAINT = "complaint", _("Reclamo presentado")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("Vencimiento recalculado")
    ATTACHMENT_ADDED = "attachment_added", _("Adjunto revisado")
    ATTACHMENT_REMOVED = "attachment_removed", _("Adjunto quitado antes de publicar")
    HIDDEN = "hidden", _("Ocultado por moderación")
    UNHIDDEN = "unhidden", _("Visible otra vez")
    DATASET_CREATED = "dataset_created", _("Convertido en datos abiertos")


class FoiEvent(models.Model):
    """One step in a request's life. Rows are only ever added."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_role = models.CharField(max_length=20)  # requester, officer, system, moderator
    text = models.TextField(blank=True)  # public text (already redacted)
    private_text = models.TextField(blank=True)  # as written; for the requester and the officers
    data = models.JSONField(default=dict, blank=True)  # public details: dates, grounds, numbers

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class FoiAttachment(models.Model):
    """A file of an answer: the original stays private; the public gets the redacted copy."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="attachments")
    original = models.FileField(upload_to="foi/original/%Y/%m/")
    redacted = models.FileField(upload_to="foi/public/%Y/%m/", blank=True)
    name = models.CharField(max_length=200)
    findings = models.JSONField(default=list, blank=True)  # [{"kind", "where", "detail"}]
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def pdf_unresolved(self) -> bool:
        """A PDF whose findings its redacted copy does not fix (its text is not rewritten)."""
        return pdf_unresolved(self.name, self.findings)


class FoiReport(models.Model):
    """Somebody flagged a request for moderation."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("motivo"), max_length=500)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.reason[:40]}"


class FoiSubmission(models.Model):
    """One request filed, counted per person and per address to rate-limit across processes."""

    user_id_value = models.PositiveIntegerField(db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id_value} {self.ip}"
