"""Writes for the territory: loading municipalities from a file, code aliases and boundaries.

These services live here, above ``accounts``, because they check ``Action.MANAGE_TERRITORY``
and ``core`` may not import the permission layer. The reading and reconciling they rely on is in
``abiertos.core.territory`` / ``territory_sources`` / ``boundaries`` and writes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record, diff_fields
from abiertos.core.boundaries import BoundaryPlan, boundaries_reconcile, geometry_describe
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality, MunicipalityCodeAlias, Province
from abiertos.core.territory import (
    CodeAlias,
    ReportEntry,
    TerritoryPlan,
    TerritoryReport,
    TerritoryRow,
    slug_unique,
    territory_reconcile,
)
from abiertos.core.territory_sources import BoundaryFeature


def _municipalities_locked() -> list[Municipality]:
    return list(Municipality.objects.select_related("province").select_for_update(of=("self",)).order_by("code"))


def _aliases_check(
    aliases: list[CodeAlias],
    *,
    stored: dict[str, str],
    municipality_codes: set[str],
    target_codes: set[str],
    report: TerritoryReport,
) -> list[CodeAlias]:
    """The aliases still to register; a contradictory one stops the import with a clear error."""
    pending = []
    for alias in aliases:
        if alias.code == alias.municipality_code:
            raise ValidationError(_("El alias %(code)s apunta a sí mismo.") % {"code": alias.code})
        if alias.code in municipality_codes:
            raise ValidationError(
                _("%(code)s es el código de un municipio, no puede ser también un alias.") % {"code": alias.code}
            )
        if alias.municipality_code not in target_codes:
            raise ValidationError(
                _("El alias %(code)s=%(target)s apunta a un código que no existe: %(target)s.")
                % {"code": alias.code, "target": alias.municipality_code}
            )
        current = stored.get(alias.code)
        if current not in (None, alias.municipality_code):
            raise ValidationError(
                _("%(code)s ya es alias de %(current)s; no puede serlo también de %(target)s.")
                % {"code": alias.code, "current": current, "target": alias.municipality_code}
            )
        if current is None:
            pending.append(alias)
            message = _("%(code)s → %(target)s") % {"code": alias.code, "target": alias.municipality_code}
            report.aliases.append(ReportEntry(alias.code, "", f"{message} {alias.note}".strip()))
    return pending


def _aliases_create(aliases: list[CodeAlias], *, report: TerritoryReport, by: Actor) -> None:
    """Register the aliases whose municipality exists now; report the others as conflicts."""
    targets = {m.code: m for m in Municipality.objects.filter(code__in=[a.municipality_code for a in aliases])}
    for alias in aliases:
        municipality = targets.get(alias.municipality_code)
        if municipality is None:
            report.aliases = [e for e in report.aliases if e.code != alias.code]
            message = _("no se registró el alias %(code)s porque %(target)s no quedó guardado.")
            report.conflicts.append(
                ReportEntry(alias.code, "", message % {"code": alias.code, "target": alias.municipality_code})
            )
            continue
        row = MunicipalityCodeAlias.objects.create(municipality=municipality, code=alias.code, note=alias.note[:300])
        audit_record(
            actor=by,
            action="municipality_code_alias.create",
            target=row,
            municipality=municipality,
            changes={"code": alias.code, "municipality_code": municipality.code, "note": alias.note},
        )


def _province_resolve(code: str, name: str, report: TerritoryReport) -> Province | None:
    """The stored province, or None when it must be created (which needs a name)."""
    if not code or len(code) > 2:
        raise ValidationError(_("El código de provincia «%(code)s» tiene que tener 1 o 2 caracteres.") % {"code": code})
    province = Province.objects.filter(code=code).first()
    if province is None and not name.strip():
        raise ValidationError(
            _("La provincia %(code)s todavía no existe: indicá su nombre con --province-name.") % {"code": code}
        )
    if province is not None and name.strip() and name.strip() != province.name:
        message = _("la provincia %(code)s está guardada como «%(stored)s»; se conserva ese nombre, no «%(name)s».")
        report.warnings.append(ReportEntry(code, name, message % {"code": code, "stored": province.name, "name": name}))
    return province


def _province_create(code: str, name: str, *, by: Actor) -> Province:
    taken = set(Province.objects.values_list("slug", flat=True))
    slug = slugify(name) if slugify(name) not in taken else f"{slugify(name)}-{code}"
    province = Province.objects.create(code=code, name=name.strip(), slug=slug or code)
    audit_record(actor=by, action="province.create", target=province, changes={"code": code, "name": province.name})
    return province


def _plan_apply(plan: TerritoryPlan, province: Province, *, by: Actor) -> None:
    taken = set(Municipality.objects.values_list("slug", flat=True))
    for row in plan.creations:
        slug = slug_unique(row.name, row.code, taken)
        if slug != slugify(row.name):
            message = _("el nombre web «%(slug)s» ya estaba usado; se creó como «%(new)s».")
            plan.report.warnings.append(
                ReportEntry(row.code, row.name, message % {"slug": slugify(row.name), "new": slug}, row.line)
            )
        municipality = Municipality.objects.create(
            province=province,
            code=row.code,
            name=row.name,
            full_name=row.full_name,
            slug=slug,
            centroid_lat=row.centroid_lat,
            centroid_lon=row.centroid_lon,
        )
        changes = {"code": row.code, "name": row.name, "slug": slug}
        audit_record(
            actor=by, action="municipality.create", target=municipality, municipality=municipality, changes=changes
        )
    for municipality, values in plan.updates:
        changes = diff_fields(municipality, values)
        for name, value in values.items():
            setattr(municipality, name, value)
        municipality.save(update_fields=[*values, "updated_at"])
        audit_record(
            actor=by, action="municipality.update", target=municipality, municipality=municipality, changes=changes
        )


@transaction.atomic
def territory_load(
    *,
    rows: list[TerritoryRow],
    province_code: str,
    province_name: str = "",
    aliases: list[CodeAlias] | None = None,
    read_warnings: list[ReportEntry] | None = None,
    dry_run: bool = False,
    source: str = "",
    by: Actor,
) -> TerritoryReport:
    """Create and update the municipalities of a province from file rows; report everything.

    Conflicting rows are reported and not applied, municipalities missing from the file are kept,
    and ``aliases`` are registered once the municipalities they point to exist.
    """
    require(by, Action.MANAGE_TERRITORY)
    report = TerritoryReport(dry_run=dry_run)
    province = _province_resolve(province_code, province_name, report)
    existing = _municipalities_locked()
    stored = dict(MunicipalityCodeAlias.objects.values_list("code", "municipality__code"))
    codes = {m.code for m in existing}
    pending = _aliases_check(
        aliases or [],
        stored=stored,
        municipality_codes=codes,
        target_codes=codes | {row.code for row in rows},
        report=report,
    )
    mapping = {**stored, **{a.code: a.municipality_code for a in pending}}
    plan = territory_reconcile(
        rows=rows, province_code=province_code, existing=existing, aliases=mapping, dry_run=dry_run
    )
    plan.report.warnings[:0] = [*(read_warnings or []), *report.warnings]
    plan.report.aliases = report.aliases
    if dry_run:
        return plan.report
    if province is None:
        province = _province_create(province_code, province_name, by=by)
    _plan_apply(plan, province, by=by)
    _aliases_create(pending, report=plan.report, by=by)
    if plan.report.has_changes:
        audit_record(
            actor=by,
            action="territory.load",
            target=province,
            changes={"source": source, **plan.report.counts()},
        )
    return plan.report


def _boundaries_apply(plan: BoundaryPlan, *, by: Actor) -> None:
    for municipality, geometry in plan.updates:
        before = geometry_describe(municipality.boundary)
        municipality.boundary = geometry
        municipality.save(update_fields=["boundary", "updated_at"])
        audit_record(
            actor=by,
            action="municipality.boundary_import",
            target=municipality,
            municipality=municipality,
            changes={"boundary": [before, geometry_describe(geometry)]},
        )


@transaction.atomic
def municipality_boundaries_import(
    *,
    features: list[BoundaryFeature],
    aliases: list[CodeAlias] | None = None,
    read_warnings: list[ReportEntry] | None = None,
    dry_run: bool = False,
    source: str = "",
    by: Actor,
) -> TerritoryReport:
    """Store each municipality's boundary from GeoJSON features joined by code; report everything."""
    require(by, Action.MANAGE_TERRITORY)
    report = TerritoryReport(dry_run=dry_run)
    existing = _municipalities_locked()
    stored = dict(MunicipalityCodeAlias.objects.values_list("code", "municipality__code"))
    codes = {m.code for m in existing}
    pending = _aliases_check(aliases or [], stored=stored, municipality_codes=codes, target_codes=codes, report=report)
    mapping = {**stored, **{a.code: a.municipality_code for a in pending}}
    plan = boundaries_reconcile(features=features, existing=existing, aliases=mapping, dry_run=dry_run)
    plan.report.warnings[:0] = [*(read_warnings or []), *report.warnings]
    plan.report.aliases = report.aliases
    if dry_run:
        return plan.report
    _aliases_create(pending, report=plan.report, by=by)
    _boundaries_apply(plan, by=by)
    if plan.report.has_changes:
        audit_record(actor=by, action="territory.boundaries_import", changes={"source": source, **plan.report.counts()})
    return plan.report
