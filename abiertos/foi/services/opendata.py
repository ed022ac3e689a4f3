"""FOI as open data: an answer turned into a draft dataset, and the per-municipality dataset of
every request, written through the catalog's services (never into catalog rows directly)."""

from __future__ import annotations

import csv
import hashlib
import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can, require
from abiertos.catalog import services as catalog
from abiertos.catalog.inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from abiertos.catalog.models import Dataset, DatasetStatus
from abiertos.catalog.vocabularies import Periodicity
from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict
from abiertos.core.models import Municipality
from abiertos.jobs.services import job_enqueue

from ..models import RESPONSE_OUTCOMES, EventKind, FoiRequest
from .base import audit, event_add, lock

OPEN_DATASET_IDENTIFIER = "pedidos-de-acceso-a-la-informacion"
OPEN_DATASET_JOB_KIND = "foi.open_dataset"
CSV_FIELDS = [
    FieldSpec("numero", "string", "Número de seguimiento del pedido"),
    FieldSpec("fecha_presentacion", "date", "Día en que se presentó"),
    FieldSpec("tema", "string", "Tema de la taxonomía del catálogo"),
    FieldSpec("asunto", "string", "Asunto, sin datos personales"),
    FieldSpec("estado", "string", "Estado del trámite"),
    FieldSpec("resultado", "string", "Cómo terminó"),
    FieldSpec("vencimiento", "date", "Vencimiento legal vigente"),
    FieldSpec("prorrogado", "boolean", "Si el plazo se prorrogó"),
    FieldSpec("fecha_respuesta", "date", "Día de la respuesta"),
    FieldSpec("dias_para_responder", "integer", "Días corridos entre presentación y respuesta"),
    FieldSpec("respondido_a_tiempo", "boolean", "Si se respondió antes del vencimiento"),
    FieldSpec("fundamento_denegacion", "string", "Fundamento legal de una denegación"),
    FieldSpec("derivado_a", "string", "Organismo al que se derivó"),
    FieldSpec("norma", "string", "Norma que fijó el plazo"),
]


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _csv_row(request: FoiRequest) -> list:
    filed = timezone.localdate(request.filed_at)
    responded = timezone.localdate(request.responded_at) if request.responded_at else None
    answered = request.outcome in RESPONSE_OUTCOMES
    return [
        request.number,
        filed.isoformat(),
        request.topic.identifier if request.topic else "",
        "[oculto por moderación]" if request.is_hidden else request.public_subject,
        request.status,
        request.outcome,
        _iso(request.due_date),
        "true" if request.extended_at else "false",
        _iso(responded) if answered else "",
        (responded - filed).days if answered and responded else "",
        ("true" if request.due_date is None or responded <= request.due_date else "false") if answered else "",
        request.refusal_ground,
        request.forwarded_to,
        request.rule_source,
    ]


def requests_csv(municipality: Municipality) -> bytes:
    """Every request of the municipality, one row each, with no personal data."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.title for f in CSV_FIELDS])
    qs = FoiRequest.objects.filter(municipality=municipality).select_related("topic").order_by("filed_at", "pk")
    for request in qs:
        writer.writerow(_csv_row(request))
    return out.getvalue().encode("utf-8")


def _open_dataset_metadata(municipality: Municipality) -> DatasetMetadata:
    return DatasetMetadata(
        identifier=OPEN_DATASET_IDENTIFIER,
        title=f"Pedidos de acceso a la información pública - {municipality.name}"[:100],
        description=(
            "Todos los pedidos de acceso a la información pública recibidos por el municipio en "
            "Municipios Abiertos: fechas, plazos legales, prórrogas, resultado y días para responder. "
            "Sin datos personales de quienes los hicieron. Se regenera automáticamente."
        ),
        super_themes=["GOVE"],
        themes=["acceso-a-la-informacion"],
        keywords=["acceso a la información", "transparencia"],
        accrual_periodicity=Periodicity.DAILY,
        landing_page=f"{settings.SITE_URL}/m/{municipality.slug}/pedidos/estadisticas/",
    )


def foi_open_dataset_refresh(*, municipality: Municipality, by: Actor) -> Dataset:
    """Create or refresh the municipality's published dataset of requests (a new file version
    only when the content changed)."""
    require(by, Action.MANAGE_CATALOG, municipality)
    content = requests_csv(municipality)
    upload = SimpleUploadedFile(f"{OPEN_DATASET_IDENTIFIER}.csv", content, content_type="text/csv")
    dataset = Dataset.objects.filter(municipality=municipality, identifier=OPEN_DATASET_IDENTIFIER).first()
    if dataset is None:
        dataset = catalog.dataset_create(
            municipality=municipality, metadata=_open_dataset_metadata(municipality), by=by
        )
        catalog.distribution_create_from_upload(
            dataset=dataset,
            metadata=DistributionMetadata(
                identifier=f"{OPEN_DATASET_IDENTIFIER}-csv",
                title="Pedidos (CSV)",
                format="CSV",
                fields=CSV_FIELDS,
            ),
            upload=upload,
            by=by,
        )
    else:
        distribution = dataset.distributions.filter(deleted_at__isnull=True).first()
        if distribution is not None and distribution.checksum_sha256 != hashlib.sha256(content).hexdigest():
            catalog.distribution_replace_file(distribution=distribution, upload=upload, by=by)
    dataset.refresh_from_db()
    if dataset.status != DatasetStatus.PUBLISHED and dataset.deleted_at is None:
        dataset = catalog.dataset_publish(dataset=dataset, by=by)
    return dataset


def open_dataset_refresh_soon(municipality: Municipality) -> None:
    """Queue a refresh of the municipality's dataset after the current transaction commits."""

    def enqueue():
        job_enqueue(
            kind=OPEN_DATASET_JOB_KIND,
            by=Actor.system("foi"),
            params={"municipality_id": municipality.pk},
            municipality=municipality,
            title=_("Actualizar el conjunto de pedidos de acceso a la información"),
        )

    transaction.on_commit(enqueue)


def open_dataset_job_run(*, job, progress) -> dict:
    """Job handler: refresh one municipality's dataset, or every one with requests."""
    ids = [job.params["municipality_id"]] if job.params.get("municipality_id") else None
    municipalities = Municipality.objects.filter(pk__in=ids or FoiRequest.objects.values("municipality_id").distinct())
    total = municipalities.count()
    done = []
    for index, municipality in enumerate(municipalities, start=1):
        with transaction.atomic():
            dataset = foi_open_dataset_refresh(municipality=municipality, by=Actor.system("foi"))
        done.append(dataset.name)
        progress(index, total, municipality.name)
    return {"datasets": done}


def _answer_metadata(request: FoiRequest) -> DatasetMetadata:
    return DatasetMetadata(
        identifier=f"pedido-{request.number}",
        title=request.public_subject[:100],
        description=(
            f"{request.public_answer}\n\nDatos entregados en respuesta al pedido de acceso a la información "
            f"{request.number}: {settings.SITE_URL}{request.get_absolute_url()}"
        ),
        super_themes=["GOVE"],
        themes=[request.topic.identifier] if request.topic else [],
        keywords=["acceso a la información"],
        accrual_periodicity=Periodicity.EVENTUAL,
        landing_page=f"{settings.SITE_URL}{request.get_absolute_url()}",
    )


@transaction.atomic
def foi_answer_to_dataset(*, request: FoiRequest, by: Actor) -> Dataset:
    """Turn an answer into a draft dataset of the catalog, linked back to the request.

    The officer may do this without catalog rights: the draft is written by the platform on
    their behalf, and a catalog editor reviews and publishes it."""
    request = lock(request)
    if not (can(by, Action.MANAGE_FOI, request.municipality) or can(by, Action.MANAGE_CATALOG, request.municipality)):
        require(by, Action.MANAGE_FOI, request.municipality)
    if request.municipality_id is None:
        raise Conflict(_("Los organismos provinciales no tienen un catálogo propio en la plataforma."))
    if request.outcome not in RESPONSE_OUTCOMES[:2]:
        raise Conflict(_("Solo una respuesta entregada puede convertirse en datos abiertos."))
    if request.dataset_id is not None:
        raise Conflict(_("Esta respuesta ya tiene su conjunto de datos."))
    platform = Actor.system("foi")
    dataset = catalog.dataset_create(municipality=request.municipality, metadata=_answer_metadata(request), by=platform)
    for index, attachment in enumerate(request.attachments.filter(is_published=True), start=1):
        with attachment.redacted.open("rb") as handle:
            upload = SimpleUploadedFile(attachment.name, handle.read())
        catalog.distribution_create_from_upload(
            dataset=dataset,
            metadata=DistributionMetadata(identifier=f"adjunto-{index}", title=attachment.name[:150]),
            upload=upload,
            by=platform,
        )
    request.dataset = dataset
    request.save(update_fields=["dataset", "updated_at"])
    event_add(request, EventKind.DATASET_CREATED, by, role="officer", data={"dataset": dataset.name})
    audit(request, "answer_to_dataset", by, {"dataset": dataset.name})
    return dataset
