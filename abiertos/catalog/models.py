"""Datasets and distributions following the national metadata profile (DOMAIN.md §2)."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from abiertos.core.models import Municipality

from .vocabularies import DEFAULT_LICENSE, FieldType, Periodicity

identifier_validator = RegexValidator(
    r"^[A-Za-z0-9_.-]+$",
    _("Usá solo letras sin tilde, números, guiones, guiones bajos y puntos (sin espacios)."),
)


class Theme(models.Model):
    """A theme of the province-wide taxonomy (themeTaxonomy), shared by every municipality."""

    identifier = models.SlugField(_("identificador"), max_length=60, unique=True)
    label = models.CharField(_("nombre"), max_length=100)
    description = models.TextField(_("descripción"), blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("tema")
        verbose_name_plural = _("temas")

    def __str__(self) -> str:
        return self.label


class DatasetStatus(models.TextChoices):
    DRAFT = "draft", _("Borrador")
    PUBLISHED = "published", _("Publicado")


class Dataset(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="datasets")
    identifier = models.CharField(
        _("identificador"),
        max_length=100,
        validators=[identifier_validator],
        help_text=_("Único dentro del municipio. Se usa en las direcciones y en data.json."),
    )
    # Unique across the whole platform: "<municipality slug>_<identifier>"; CKAN's "name".
    name = models.CharField(max_length=230, unique=True, editable=False)
    title = models.CharField(_("título"), max_length=100)
    description = models.TextField(_("descripción"))
    # Real publisher names run past 250 characters (the national justice catalog has one of 272).
    publisher_name = models.CharField(_("organismo que publica"), max_length=300)
    publisher_mbox = models.EmailField(_("correo del organismo"), blank=True)
    contact_name = models.CharField(_("punto de contacto"), max_length=300, blank=True)
    contact_email = models.EmailField(_("correo de contacto"), blank=True)
    super_themes = models.JSONField(_("temas globales"), default=list)
    themes = models.ManyToManyField(Theme, blank=True, related_name="datasets", verbose_name=_("temas"))
    keywords = models.JSONField(_("palabras clave"), default=list, blank=True)
    license = models.CharField(_("licencia"), max_length=40, default=DEFAULT_LICENSE)
    accrual_periodicity = models.CharField(
        _("frecuencia de actualización"), max_length=12, choices=Periodicity.choices, default=Periodicity.ANNUAL
    )
    issued = models.DateTimeField(_("fecha de publicación"), null=True, blank=True)
    modified = models.DateTimeField(_("última actualización de los datos"), null=True, blank=True)
    temporal = models.CharField(
        _("cobertura temporal"),
        max_length=50,
        blank=True,
        help_text=_("Inicio/fin, por ejemplo 2023-01-01/2023-12-31."),
    )
    spatial = models.CharField(_("cobertura geográfica"), max_length=100, blank=True)
    landing_page = models.URLField(_("página de referencia"), blank=True, max_length=500)
    language = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=10, choices=DatasetStatus.choices, default=DatasetStatus.DRAFT, db_index=True)
    version = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(default=False)

    # Where a harvested dataset came from; harvested datasets are read-only in our editor.
    origin_url = models.URLField(max_length=1000, blank=True)
    origin_remote_id = models.CharField(max_length=300, blank=True)
    is_harvested = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("conjunto de datos")
        verbose_name_plural = _("conjuntos de datos")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "identifier"], name="dataset_identifier_per_municipality"),
        ]
        indexes = [models.Index(fields=["municipality", "status", "deleted_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "catalog:dataset_detail",
            kwargs={"municipality_slug": self.name.split("_", 1)[0], "identifier": self.identifier},
        )

    @property
    def is_published(self) -> bool:
        return self.status == DatasetStatus.PUBLISHED and self.deleted_at is None


class DistributionKind(models.TextChoices):
    UPLOAD = "upload", _("Archivo subido")
    URL = "url", _("Enlace externo")


def distribution_upload_to(instance: "DistributionFile", filename: str) -> str:
    return f"distributions/{instance.distribution.uuid}/{uuid.uuid4().hex[:12]}/{filename}"


class Distribution(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions")
    identifier = models.CharField(_("identificador"), max_length=150, validators=[identifier_validator])
    # Unique across the whole platform, like Dataset.name.
    name = models.CharField(max_length=280, unique=True, editable=False)
    title = models.CharField(_("título"), max_length=150)
    description = models.TextField(_("descripción"), blank=True)
    kind = models.CharField(max_length=10, choices=DistributionKind.choices, default=DistributionKind.UPLOAD)
    # The current file (its latest DistributionFile); stored as a name, never uploaded directly.
    file = models.FileField(blank=True, max_length=500)
    access_url = models.URLField(_("dirección de acceso"), blank=True, max_length=1000)
    external_url = models.URLField(_("dirección de descarga externa"), blank=True, max_length=1000)
    format = models.CharField(_("formato"), max_length=20, blank=True)
    media_type = models.CharField(_("tipo de medio"), max_length=120, blank=True)
    byte_size = models.BigIntegerField(_("tamaño en bytes"), null=True, blank=True)
    checksum_sha256 = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(_("nombre de archivo"), max_length=255, blank=True)
    license = models.CharField(_("licencia"), max_length=40, blank=True)
    issued = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    file_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("distribución")
        verbose_name_plural = _("distribuciones")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "identifier"], name="distribution_identifier_per_dataset"),
        ]

    def __str__(self) -> str:
        return self.title


class DistributionFile(models.Model):
    """Every file ever uploaded for a distribution; a replaced file stays downloadable."""

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="file_versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=distribution_upload_to, max_length=500)
    file_name = models.CharField(max_length=255)
    byte_size = models.BigIntegerField()
    checksum_sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["distribution", "number"], name="distribution_file_number")]

    def __str__(self) -> str:
        return f"{self.file_name} v{self.number}"


class Field(models.Model):
    """One column of a tabular distribution (the data dictionary)."""

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("nombre"), max_length=60)
    type = models.CharField(_("tipo"), max_length=12, choices=FieldType.choices, default=FieldType.STRING)
    description = models.CharField(_("descripción"), max_length=500, blank=True)
    units = models.CharField(_("unidades"), max_length=60, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["distribution", "title"], name="field_title_per_distribution")]

    def __str__(self) -> str:
        return self.title


class DatasetRevision(models.Model):
    """A snapshot of a dataset's metadata (with its distributions) after each change."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_label = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="dataset_revision_number")]

    def __str__(self) -> str:
        return f"{self.dataset_id} r{self.number} {self.action}"


class UploadSession(models.Model):
    """A resumable, chunked upload: the file grows under MEDIA_ROOT/uploads-tmp until complete,
    then a service attaches it to a distribution as a new file version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    total_size = models.BigIntegerField()
    received_bytes = models.BigIntegerField(default=0)
    checksum_sha256 = models.CharField(max_length=64, blank=True)
    # Relative to MEDIA_ROOT, so moving the media folder does not break open sessions.
    temp_path = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    attached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received_bytes__gte=0) & models.Q(received_bytes__lte=models.F("total_size")),
                name="upload_session_received_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.received_bytes}/{self.total_size})"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class DatasetSearchEntry(models.Model):
    """What search filters, sorts and ranks a live dataset on; kept by search_index.py.

    The text columns hold normalised terms (text.py). On SQLite an FTS5 table mirrors them
    through triggers; on PostgreSQL a generated ``document`` tsvector with a GIN index does
    (both created in the migration, outside the model, because they are backend-specific).
    """

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    is_published = models.BooleanField()
    # Published and its municipality active: what anonymous visitors see, without a join.
    is_public = models.BooleanField(default=False)
    name = models.CharField(max_length=200)
    title_sort = models.CharField(max_length=200)
    modified = models.DateTimeField(null=True)
    created = models.DateTimeField()
    # When the metadata last changed (Dataset.updated_at): CKAN's metadata_modified.
    updated = models.DateTimeField(null=True)
    # Up to date while now < fresh_until (freshness.py); NULL: always out of date.
    fresh_until = models.DateTimeField(null=True)
    title_terms = models.TextField()
    keyword_terms = models.TextField()
    body_terms = models.TextField()

    class Meta:
        indexes = [
            models.Index(fields=["is_published", "municipality"], name="search_visible_idx"),
            models.Index(fields=["modified"], name="search_modified_idx"),
            models.Index(fields=["created"], name="search_created_idx"),
            models.Index(fields=["title_sort"], name="search_title_idx"),
            models.Index(fields=["name"], name="search_name_idx"),
            models.Index(fields=["fresh_until"], name="search_fresh_idx"),
            # Covers probing a text match's ids for visibility, freshness and recency.
            models.Index(fields=["dataset", "is_public", "fresh_until", "modified"], name="search_probe_idx"),
            models.Index(fields=["updated"], name="search_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class SearchFacetValue(models.Model):
    """A small integer id per distinct (facet, value) of the search index, so that counting facets
    over a match set groups integers instead of strings (ckan_api/index_querying.py). Rows are only
    ever added (search_index.py); one no facet row uses any more is harmless."""

    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facet", "value"], name="search_facet_value_unique")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class DatasetSearchFacet(models.Model):
    """One facet value of an indexed dataset (municipality, theme, format, license, keyword, publisher, tag).

    ``keyword`` groups keywords that differ only in case and accents (our search); ``tag`` is the
    keyword exactly as written (CKAN's ``tags``). ``value_ref`` is the (facet, value) pair's id."""

    entry = models.ForeignKey(DatasetSearchEntry, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=200)
    label = models.CharField(max_length=200)
    value_ref = models.ForeignKey(
        SearchFacetValue, on_delete=models.PROTECT, null=True, db_index=False, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facet", "value", "entry"], name="search_facet_value_entry"),
        ]
        # Covers counting the facets of a set of matching entries (search._facet_rows).
        indexes = [
            models.Index(fields=["entry", "facet", "value", "label"], name="search_facet_entry_idx"),
            # Covers counting facets by integer id over a match set (index_querying.facet_counts).
            models.Index(fields=["entry", "facet", "value_ref"], name="search_facet_ref_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class SearchIndexGeneration(models.Model):
    """One row whose token changes with every write to the search index (search_index.py).

    Cached search answers are keyed by it, so none outlives the index state it was computed
    from, whichever process wrote. A random token rather than a counter: a rolled-back write
    puts back the old token, and a counter would then repeat a value another state had used."""

    token = models.CharField(max_length=32)
    # How many times the index has changed: the position of the last SearchIndexChange rows. Writers
    # serialise on this row until they commit, so the changes up to ``seq`` are all committed.
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.token


class SearchIndexChange(models.Model):
    """The index change log: which datasets' entries one index write touched (search_index.py).

    Written in the writer's transaction with the ``SearchIndexGeneration`` bump it belongs to, so
    processes holding a copy of the index (search_engine.py) re-read only those entries. Each row
    carries the generation's token before and after the write, which lets a reader check that the
    rows it applies continue exactly the state it holds. ``dataset_id`` NULL: anything may have
    changed (reload everything); 0: nothing to re-read. Pruned periodically (``search_index.search_log_prune``)."""

    seq = models.BigIntegerField(db_index=True)
    dataset_id = models.BigIntegerField(null=True)
    prev_token = models.CharField(max_length=32)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.seq}:{self.dataset_id}"


class DatasetExportFragment(models.Model):
    """A dataset's entry in the province data.json, as JSON text, kept to stream the export fast.

    ``key`` digests everything the entry is made from (the dataset's version and timestamps, its
    municipality's slug and e-mail, its themes, its distributions' and fields' rows, the portal's
    settings): datajson.py serves the text only while the key still matches, else rebuilds it.
    ``federable`` is the national profile's verdict on that entry (federation.py): a dataset that is
    not federable is left out of the province data.json."""

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, primary_key=True, related_name="+")
    key = models.CharField(max_length=64)
    entry = models.TextField()
    federable = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.key[:8]}"
