"""Joining GeoJSON boundary features to stored municipalities; nothing here writes.

A layer may split one partido into several features (river-delta islands: 143 features for 135
partidos) — they are merged into one MultiPolygon and reported. A feature whose name contradicts
the municipality of its code (a layer that gives Lezama the code of Chascomús) is a conflict and
is not applied. Boundaries are optional: every other part of the product works without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Municipality
from .territory import ReportEntry, TerritoryReport, name_canonical, name_match, name_match_note
from .territory_sources import BoundaryFeature


@dataclass
class BoundaryPlan:
    report: TerritoryReport
    updates: list[tuple[Municipality, dict]] = field(default_factory=list)


def geometry_merge(geometries: list[dict]) -> dict:
    """One geometry for several (Multi)Polygons: the only one, or a MultiPolygon of all their parts."""
    if len(geometries) == 1:
        return geometries[0]
    polygons: list = []
    for geometry in geometries:
        if geometry["type"] == "Polygon":
            polygons.append(geometry["coordinates"])
        else:
            polygons.extend(geometry["coordinates"])
    return {"type": "MultiPolygon", "coordinates": polygons}


def geometry_describe(geometry: dict | None) -> str:
    if not geometry:
        return _("sin límite")
    parts = len(geometry["coordinates"]) if geometry.get("type") == "MultiPolygon" else 1
    return _("%(type)s de %(n)d polígono(s)") % {"type": geometry.get("type"), "n": parts}


class _BoundaryReconciler:
    def __init__(self, *, existing: list[Municipality], aliases: dict[str, str], dry_run: bool):
        self.by_code = {m.code: m for m in existing}
        self.by_name = {(m.province.code, name_canonical(m.name, m.province.code)): m for m in existing}
        self.aliases = aliases
        self.plan = BoundaryPlan(report=TerritoryReport(dry_run=dry_run, unit=_("elemento")))
        self.report = self.plan.report
        self.touched: set[str] = set()
        self.in_conflict: set[str] = set()

    def run(self, features: list[BoundaryFeature]) -> BoundaryPlan:
        groups: dict[str, list[BoundaryFeature]] = {}
        for feature in features:
            groups.setdefault(self.aliases.get(feature.code, feature.code), []).append(feature)
        for target, group in groups.items():
            municipality = self.by_code.get(target)
            if municipality is None:
                for feature in group:
                    self._unmatched(feature)
            else:
                self._match(municipality, group)
        self._report_missing()
        return self.plan

    def _unmatched(self, feature: BoundaryFeature) -> None:
        province = feature.code[:2]
        other = self.by_name.get((province, name_canonical(feature.name, province))) if feature.name else None
        if other is None:
            message = _("el código %(code)s («%(name)s») no corresponde a ningún municipio guardado; se omite.") % {
                "code": feature.code,
                "name": feature.name or "?",
            }
            self.report.warnings.append(ReportEntry(feature.code, feature.name, message, feature.index))
            return
        self.in_conflict.add(other.code)
        message = _(
            "«%(name)s» tiene el código %(code)s en el archivo, pero está guardado como «%(stored)s» con el "
            "código %(stored_code)s. No se aplica. Si %(code)s es un código viejo o alternativo, registralo como "
            "alias (--alias %(code)s=%(stored_code)s)."
        ) % {"name": feature.name, "code": feature.code, "stored": other.name, "stored_code": other.code}
        self.report.conflicts.append(ReportEntry(feature.code, feature.name, message, feature.index))

    def _accepts(self, municipality: Municipality, feature: BoundaryFeature) -> bool:
        """Whether the feature's name (when it has one) agrees with the municipality of its code."""
        province = municipality.province.code
        how = name_match(feature.name, municipality.name, province) if feature.name else "exact"
        if how is None:
            message = _(
                "el elemento usa el código %(code)s, que es de «%(stored)s», pero se llama «%(name)s»: no se aplica."
            ) % {"code": feature.code, "stored": municipality.name, "name": feature.name}
            self.report.conflicts.append(ReportEntry(feature.code, feature.name, message, feature.index))
            return False
        notes = [name_match_note(feature.name, municipality.name, how)]
        if feature.code != municipality.code:
            notes.append(
                _("coincidencia por alias: el código %(old)s del archivo es %(code)s.")
                % {"old": feature.code, "code": municipality.code}
            )
        for note in filter(None, notes):
            self.report.warnings.append(ReportEntry(municipality.code, municipality.name, note, feature.index))
        return True

    def _match(self, municipality: Municipality, group: list[BoundaryFeature]) -> None:
        accepted = [feature for feature in group if self._accepts(municipality, feature)]
        if not accepted:
            return
        self.touched.add(municipality.code)
        label = f"{municipality.name} ({municipality.code})"
        if len(accepted) > 1:
            message = _("%(label)s: %(n)d elementos (%(which)s) unidos en un solo MultiPolygon.") % {
                "label": label,
                "n": len(accepted),
                "which": ", ".join(str(f.index) for f in accepted),
            }
            self.report.warnings.append(ReportEntry(municipality.code, municipality.name, message, accepted[0].index))
        geometry = geometry_merge([feature.geometry for feature in accepted])
        entry = ReportEntry(municipality.code, municipality.name, label, accepted[0].index)
        if municipality.boundary == geometry:
            self.report.unchanged.append(entry)
            return
        entry.message += ": " + _("%(old)s → %(new)s") % {
            "old": geometry_describe(municipality.boundary),
            "new": geometry_describe(geometry),
        }
        self.report.updated.append(entry)
        self.plan.updates.append((municipality, geometry))

    def _report_missing(self) -> None:
        provinces = {self.by_code[code].province.code for code in self.touched}
        for code, municipality in sorted(self.by_code.items()):
            if code in self.touched | self.in_conflict or municipality.province.code not in provinces:
                continue
            kept = _("conserva el límite que tenía") if municipality.boundary else _("sigue sin límite")
            message = _("%(name)s (%(code)s) no tiene límite en el archivo; %(kept)s.") % {
                "name": municipality.name,
                "code": code,
                "kept": kept,
            }
            self.report.missing.append(ReportEntry(code, municipality.name, message))


def boundaries_reconcile(
    *, features: list[BoundaryFeature], existing: list[Municipality], aliases: dict[str, str], dry_run: bool = False
) -> BoundaryPlan:
    """Join features to municipalities by code (or alias); return the geometries to store and the report."""
    return _BoundaryReconciler(existing=existing, aliases=aliases, dry_run=dry_run).run(features)
