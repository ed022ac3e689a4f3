"""Reconciling a territory file with the municipalities already stored: codes, names, the report.

Nothing here writes. ``territory_reconcile`` compares the rows of a file with the database and
returns a plan (what to create, what to update) and a report that says, in Spanish, what matched,
what changed and what conflicts. Sources disagree (DOMAIN.md §1), so a doubtful row is reported
as a conflict and never applied: the operator decides, for instance by registering a code alias.
The write services that apply a plan live in ``abiertos.portal.territory``, above the permission
layer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Municipality

DATA_DIR = Path(__file__).resolve().parent / "data" / "territory"
DEFAULT_TERRITORY_FILE = DATA_DIR / "partidos_pba.csv"
DEFAULT_ALIASES_FILE = DATA_DIR / "aliases_pba.csv"
DEFAULT_PROVINCE_CODE = "06"
DEFAULT_PROVINCE_NAME = "Buenos Aires"
DEFAULT_CODE_WIDTH = 5

# Common names that differ from the georef name of the same partido, per province code. Keys and
# values are name keys (see ``name_key``). Matching through this table is reported, never silent.
NAME_SYNONYMS: dict[str, dict[str, str]] = {
    "06": {
        "general san martin": "ciudad libertador san martin",
        "san martin": "ciudad libertador san martin",
        "ezeiza": "jose m ezeiza",
        "jose maria ezeiza": "jose m ezeiza",
        "coronel rosales": "coronel de marina leonardo rosales",
    },
}


@dataclass
class ReportEntry:
    code: str
    name: str
    message: str
    line: int | None = None


@dataclass
class TerritoryReport:
    """What an import did, or would do with ``dry_run``: each list holds ``ReportEntry`` items."""

    dry_run: bool = False
    unit: str = "fila"
    created: list[ReportEntry] = field(default_factory=list)
    updated: list[ReportEntry] = field(default_factory=list)
    unchanged: list[ReportEntry] = field(default_factory=list)
    conflicts: list[ReportEntry] = field(default_factory=list)
    warnings: list[ReportEntry] = field(default_factory=list)
    missing: list[ReportEntry] = field(default_factory=list)
    aliases: list[ReportEntry] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated or self.aliases)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self._lists()}

    def as_dict(self) -> dict:
        body: dict = {"dry_run": self.dry_run, "unit": self.unit, "changed": self.has_changes, "counts": self.counts()}
        body.update({name: [asdict(e) for e in getattr(self, name)] for name in self._lists()})
        return body

    def summary(self) -> str:
        counts = self.counts()
        text = (
            _(
                "Creados: %(created)d · Actualizados: %(updated)d · Sin cambios: %(unchanged)d · "
                "Conflictos: %(conflicts)d · Advertencias: %(warnings)d · Ausentes del archivo: %(missing)d · "
                "Alias registrados: %(aliases)d"
            )
            % counts
        )
        if not self.has_changes:
            text += " — " + _("sin cambios.")
        if self.dry_run:
            text += " " + _("(simulación: no se guardó nada)")
        return text

    def lines(self) -> list[str]:
        """The report as text for a person: one line per entry worth reading, then the summary."""
        titles = {
            "conflicts": _("CONFLICTO (no se aplicó)"),
            "warnings": _("Advertencia"),
            "missing": _("Ausente del archivo (no se borra)"),
            "created": _("Creado"),
            "updated": _("Actualizado"),
            "aliases": _("Alias"),
        }
        out = []
        for name, title in titles.items():
            for e in getattr(self, name):
                where = f"{self.unit} {e.line}: " if e.line else ""
                out.append(f"{title}: {where}{e.message}")
        out.append(self.summary())
        return out

    @staticmethod
    def _lists() -> tuple[str, ...]:
        return ("created", "updated", "unchanged", "conflicts", "warnings", "missing", "aliases")


@dataclass
class TerritoryRow:
    """One municipality as a source file describes it. ``line`` is the row or feature number."""

    line: int
    code: str
    name: str
    full_name: str = ""
    centroid_lat: float | None = None
    centroid_lon: float | None = None
    province_code: str = ""


@dataclass(frozen=True)
class CodeAlias:
    """Another code under which files name a stored municipality (``code`` → ``municipality_code``)."""

    code: str
    municipality_code: str
    note: str = ""


@dataclass
class TerritoryPlan:
    report: TerritoryReport
    creations: list[TerritoryRow] = field(default_factory=list)
    updates: list[tuple[Municipality, dict]] = field(default_factory=list)


def code_normalize(raw: object, *, width: int = DEFAULT_CODE_WIDTH) -> tuple[str, str]:
    """Return the code as text with its leading zeros, and a warning when zeros had to be added."""
    code = str(raw if raw is not None else "").strip()
    if re.fullmatch(r"\d+\.0", code):  # spreadsheets turn 6007 into 6007.0
        code = code[:-2]
    if code.isdigit() and len(code) < width:
        padded = code.zfill(width)
        return padded, _("el código «%(raw)s» no tiene ceros iniciales; se toma como %(code)s.") % {
            "raw": code,
            "code": padded,
        }
    return code, ""


def name_key(name: str) -> str:
    """The name without accents, case or punctuation: «José C. Paz» → «jose c paz»."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def name_canonical(name: str, province_code: str) -> str:
    key = name_key(name)
    return NAME_SYNONYMS.get(province_code, {}).get(key, key)


def name_match(given: str, stored: str, province_code: str) -> str | None:
    """How a name from a file matches a stored one: "exact", "variant", "synonym" or None."""
    if given.strip() == stored.strip():
        return "exact"
    if name_key(given) == name_key(stored):
        return "variant"
    if name_canonical(given, province_code) == name_canonical(stored, province_code):
        return "synonym"
    return None


def name_match_note(given: str, stored: str, how: str | None) -> str:
    """The Spanish remark for a match that was not exact, or ""."""
    if how == "synonym":
        return _("coincidencia por nombre alternativo: «%(given)s» en el archivo es «%(stored)s».") % {
            "given": given,
            "stored": stored,
        }
    if how == "variant":
        return _(
            "el archivo escribe «%(given)s» y está guardado como «%(stored)s»; se conserva el nombre guardado."
        ) % {
            "given": given,
            "stored": stored,
        }
    return ""


def slug_unique(name: str, code: str, taken: set[str]) -> str:
    """A slug from the name («9 de Julio» → «9-de-julio»), with the code added if it is taken."""
    slug = slugify(name)[:100] or slugify(code)
    if slug in taken:
        slug = f"{slug}-{slugify(code)}"
    taken.add(slug)
    return slug


class _Reconciler:
    """Walks the rows of one file against the stored municipalities of one province."""

    def __init__(self, *, province_code: str, existing: list[Municipality], aliases: dict[str, str], dry_run: bool):
        self.province_code = province_code
        self.by_code = {m.code: m for m in existing}
        self.aliases = aliases
        self.plan = TerritoryPlan(report=TerritoryReport(dry_run=dry_run))
        self.report = self.plan.report
        self.mentioned: set[str] = set()
        self.by_name: dict[str, Municipality] = {
            name_canonical(m.name, province_code): m for m in existing if m.province.code == province_code
        }

    def run(self, rows: list[TerritoryRow]) -> TerritoryPlan:
        rows = [row for row in rows if self._in_province(row)]
        groups: dict[str, list[TerritoryRow]] = {}
        for row in rows:
            groups.setdefault(self.aliases.get(row.code, row.code), []).append(row)
        new_names = self._new_name_counts(groups)
        for target, group in groups.items():
            if len(group) > 1:
                self._conflict_duplicate(target, group)
            elif target in self.by_code:
                self._match_existing(group[0], self.by_code[target])
            else:
                self._match_new(group[0], new_names)
        self._report_missing()
        return self.plan

    def _in_province(self, row: TerritoryRow) -> bool:
        province = row.province_code or row.code[: len(self.province_code)]
        if province == self.province_code:
            return True
        self.report.warnings.append(
            ReportEntry(
                row.code,
                row.name,
                _("%(name)s (%(code)s) es de la provincia %(other)s, no de la %(province)s: se omite.")
                % {"name": row.name, "code": row.code, "other": province or "?", "province": self.province_code},
                row.line,
            )
        )
        return False

    def _new_name_counts(self, groups: dict[str, list[TerritoryRow]]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for target, group in groups.items():
            if target not in self.by_code and len(group) == 1:
                key = name_canonical(group[0].name, self.province_code)
                counts[key] = counts.get(key, 0) + 1
        return counts

    def _conflict_duplicate(self, target: str, group: list[TerritoryRow]) -> None:
        self.mentioned.add(target)
        lines = ", ".join(str(row.line) for row in group)
        codes = ", ".join(sorted({row.code for row in group}))
        message = _(
            "el código %(target)s aparece %(n)d veces en el archivo (filas %(lines)s, códigos %(codes)s, nombres "
            "%(names)s): no se aplica ninguna de esas filas."
        ) % {
            "target": target,
            "n": len(group),
            "lines": lines,
            "codes": codes,
            "names": ", ".join(f"«{row.name}»" for row in group),
        }
        self.report.conflicts.append(ReportEntry(target, group[0].name, message, group[0].line))

    def _match_existing(self, row: TerritoryRow, municipality: Municipality) -> None:
        self.mentioned.add(municipality.code)
        how = name_match(row.name, municipality.name, self.province_code)
        if how is None:
            self._conflict_other_name(row, municipality)
            return
        if municipality.province.code != self.province_code:
            message = _("el código %(code)s ya es de %(name)s, en la provincia %(other)s.") % {
                "code": municipality.code,
                "name": municipality.name,
                "other": municipality.province.code,
            }
            self.report.conflicts.append(ReportEntry(row.code, row.name, message, row.line))
            return
        self._note_match(row, municipality, how)
        values = _row_values(row)
        changes = {k: [getattr(municipality, k), v] for k, v in values.items() if getattr(municipality, k) != v}
        entry = ReportEntry(municipality.code, municipality.name, _row_label(municipality.name, municipality.code))
        if changes:
            entry.message += " " + ", ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in changes.items())
            self.report.updated.append(entry)
            self.plan.updates.append((municipality, values))
        else:
            self.report.unchanged.append(entry)

    def _note_match(self, row: TerritoryRow, municipality: Municipality, how: str) -> None:
        notes = []
        if row.code != municipality.code:
            notes.append(
                _("coincidencia por alias: el código %(old)s del archivo es %(code)s.")
                % {"old": row.code, "code": municipality.code}
            )
        if how != "exact":
            notes.append(name_match_note(row.name, municipality.name, how))
        for note in notes:
            self.report.warnings.append(ReportEntry(municipality.code, municipality.name, note, row.line))

    def _conflict_other_name(self, row: TerritoryRow, municipality: Municipality) -> None:
        message = _("el código %(code)s es de «%(stored)s», pero el archivo lo usa para «%(given)s».") % {
            "code": row.code,
            "stored": municipality.name,
            "given": row.name,
        }
        other = self.by_name.get(name_canonical(row.name, self.province_code))
        if other is not None:
            self.mentioned.add(other.code)
            message += " " + _("«%(name)s» ya está guardado con el código %(code)s.") % {
                "name": other.name,
                "code": other.code,
            }
        self.report.conflicts.append(ReportEntry(row.code, row.name, message + " " + _("No se aplica."), row.line))

    def _match_new(self, row: TerritoryRow, new_names: dict[str, int]) -> None:
        key = name_canonical(row.name, self.province_code)
        other = self.by_name.get(key)
        if other is not None:
            self.mentioned.add(other.code)
            message = _(
                "«%(given)s» ya está guardado como «%(stored)s» con el código %(stored_code)s, y el archivo usa "
                "%(code)s. No se aplica. Si %(code)s es un código viejo o alternativo, registralo como alias "
                "(--alias %(code)s=%(stored_code)s)."
            ) % {"given": row.name, "stored": other.name, "stored_code": other.code, "code": row.code}
            self.report.conflicts.append(ReportEntry(row.code, row.name, message, row.line))
        elif new_names.get(key, 0) > 1:
            message = _("hay más de una fila nueva llamada «%(name)s» con códigos distintos: no se crea ninguna.") % {
                "name": row.name
            }
            self.report.conflicts.append(ReportEntry(row.code, row.name, message, row.line))
        else:
            self.plan.creations.append(row)
            self.report.created.append(ReportEntry(row.code, row.name, _row_label(row.name, row.code), row.line))

    def _report_missing(self) -> None:
        for code, municipality in sorted(self.by_code.items()):
            if code in self.mentioned or municipality.province.code != self.province_code:
                continue
            message = _("%(label)s está guardado pero no figura en el archivo; se conserva.") % {
                "label": _row_label(municipality.name, code)
            }
            self.report.missing.append(ReportEntry(code, municipality.name, message))


def _row_label(name: str, code: str) -> str:
    return f"{name} ({code})"


def _row_values(row: TerritoryRow) -> dict:
    """The fields a row sets on an existing municipality; empty values never erase stored ones."""
    values: dict = {}
    if row.full_name:
        values["full_name"] = row.full_name
    if row.centroid_lat is not None and row.centroid_lon is not None:
        values["centroid_lat"] = row.centroid_lat
        values["centroid_lon"] = row.centroid_lon
    return values


def territory_reconcile(
    *,
    rows: list[TerritoryRow],
    province_code: str,
    existing: list[Municipality],
    aliases: dict[str, str],
    dry_run: bool = False,
) -> TerritoryPlan:
    """Compare file rows with the stored municipalities; return the plan and its report.

    ``existing`` should hold every stored municipality (with ``province`` loaded) so codes used
    in another province are caught; ``aliases`` maps an alternative code to a stored code.
    """
    reconciler = _Reconciler(province_code=province_code, existing=existing, aliases=aliases, dry_run=dry_run)
    return reconciler.run(rows)
