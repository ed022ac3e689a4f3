"""Province data.json entries written as JSON text straight from database row tuples.

The first province export builds 100,000 entries. Building a dict per row, a dict per entry and
then running ``json.dumps`` over them cost more than half of it, so this writer reads plain tuples
(no per-row dicts, SQLite's dates as raw text instead of parsed datetimes) and appends each key's
text in profile order. It writes exactly the bytes of ``json.dumps(entry, ensure_ascii=False)`` of
the entry that ``datajson.dataset_entry`` builds (tests compare both on a catalog with every field
filled): the same keys in the same order, empty values left out the same way, the same string
escaping (``json.encoder.encode_basestring`` is what ``json.dumps`` uses without ``ensure_ascii``).
Change both together.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connection
from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast

from .models import Distribution, Field

# A string as ``json.dumps(..., ensure_ascii=False)`` writes it. Text columns are never NULL (the
# nullable ones are dates and sizes), so every string value below is a str.
_string = json.encoder.encode_basestring


def _number(value) -> str:
    """A number as ``json.dumps`` writes it (an int is its repr, without calling the encoder)."""
    return repr(value) if value.__class__ is int else json.dumps(value)


# Dataset rows: the five key columns first (export_fragments.chunk_keys reads them by position),
# then what the entry is written from. DATE_COLUMNS are read as raw text on SQLite.
KEY_COLUMNS = ("id", "version", "updated_at", "municipality__slug", "municipality__contact_email")
DATASET_COLUMNS = (
    *KEY_COLUMNS,
    "name",
    "identifier",
    "title",
    "description",
    "publisher_name",
    "publisher_mbox",
    "contact_name",
    "contact_email",
    "super_themes",
    "keywords",
    "accrual_periodicity",
    "issued",
    "modified",
    "temporal",
    "spatial",
    "landing_page",
    "license",
    "language",
)
DISTRIBUTION_COLUMNS = (
    "dataset_id",
    "id",
    "name",
    "identifier",
    "title",
    "description",
    "format",
    "media_type",
    "byte_size",
    "file_name",
    "license",
    "issued",
    "modified",
    "kind",
    "file",
    "access_url",
    "external_url",
)
DATE_COLUMNS = frozenset({"issued", "modified", "updated_at"})


Query = tuple[str, tuple]


def select(queryset: QuerySet, columns: tuple[str, ...]) -> Query:
    """The SQL and parameters reading ``columns`` of ``queryset`` as tuples, dates as text.

    Dates are read as text (``CAST(... AS text)``): the drivers would otherwise parse each one
    into a datetime in Python (psycopg through Django's time-zone loader, SQLite through Django's
    converter; a third to half of reading the rows) only for the writer to turn it back into text,
    which it does once per distinct value (``EntryWriter.date``, ``utc``)."""
    selected = [Cast(F(c), TextField()) if c in DATE_COLUMNS else c for c in columns]
    return queryset.values_list(*selected).query.sql_with_params()


def row_tuples(queryset: QuerySet, columns: tuple[str, ...]) -> list[tuple]:
    """The rows of ``queryset`` as tuples of ``columns``, read through a plain cursor (``select``)."""
    return fetch([select(queryset, columns)])[0]


def fetch(queries: list[Query]) -> list[list[tuple]]:
    """The rows of each query, in order.

    On PostgreSQL the queries go to the server in one round trip: Django's psycopg cursor binds
    parameters on the client, so it can send several statements in one ``execute`` and read each
    result after ``nextset``. A chunk of the export runs five to seven small range reads; waiting
    for the server once instead of once per read was most of their cost on a busy machine."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(queries) > 1:
            cursor.execute(";\n".join(sql for sql, _params in queries), [p for _sql, ps in queries for p in ps])
            results = [cursor.fetchall()]
            while cursor.nextset():
                results.append(cursor.fetchall())
            return results
        results = []
        for sql, params in queries:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
        return results


def utc(text: str) -> datetime:
    """A date read as text: SQLite's UTC without an offset, or PostgreSQL's with one."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class EntryWriter:
    """Writes the province entries of chunks of dataset rows (``DATASET_COLUMNS`` tuples).

    ``urls`` is the export's ``datajson._Addresses``; ``license_title`` maps a license code to
    the title the profile shows."""

    def __init__(self, urls, license_title: Callable[[str], str]):
        self.urls = urls
        self.license_title = license_title
        self._dates: dict = {}
        self._lists: dict = {}
        self._licenses: dict = {}
        self._values: dict = {}  # list and license texts -> the value json.loads reads back from them

    def date(self, value) -> str | None:
        """A profile date-time as text, once per distinct value read (``row_tuples``' text)."""
        if value is None:
            return None
        text = self._dates.get(value)
        if text is None:
            if len(self._dates) > 65536:  # bounded, not a leak
                self._dates.clear()
            moment = utc(value) if value.__class__ is str else value
            text = self._dates[value] = moment.astimezone(self.urls.zone).isoformat(timespec="seconds")
        return text

    def json_list(self, raw, default: tuple = ()) -> str | None:
        """A JSON list column (raw text) as its entry text; None when empty (the key is left out)."""
        key = (raw, default)
        if key in self._lists:
            return self._lists[key]
        value = json.loads(raw) if isinstance(raw, str | bytes) else raw
        value = list(value or default)
        text = json.dumps(value, ensure_ascii=False) if value else None
        if len(self._lists) > 65536:
            self._lists.clear()
            self._values = {text: value for text, value in self._values.items() if value.__class__ is str}
        self._lists[key] = text
        if text:
            self._values[text] = value
        return text

    def license(self, code: str) -> str:
        """The license's title as entry text ("" when there is none: the key is left out)."""
        text = self._licenses.get(code)
        if text is None:
            title = self.license_title(code)
            text = self._licenses[code] = _string(title) if title else ""
            self._values[text] = title
        return text

    def texts(self, rows: list[tuple], themes: dict[int, list[str]], related: list[list[tuple]]) -> list[tuple]:
        """(dataset id, entry text) of each row, in order; ``rows`` are ordered by id and ``related``
        holds the rows of ``related_queries`` over (at least) their range."""
        dists, fields = _distributions(related[0]), _fields(related[1])
        return [(row[0], self.entry(row, themes.get(row[0]), dists.get(row[0]), fields)) for row in rows]

    def judged_texts(
        self,
        rows: list[tuple],
        themes: dict[int, list[str]],
        related: list[list[tuple]],
        federable: Callable[[dict], bool],
    ) -> list[tuple[int, str, bool]]:
        """As ``texts``, with ``federable``'s verdict on each entry: it is handed the entry as the dict
        ``json.loads`` would read back from the text (equal to it, tests check), filled as the text is
        written, so 100,000 texts are not parsed back on the first export. The dicts share lists
        between entries: read them, do not change them."""
        dists, fields = _distributions(related[0]), _fields(related[1])
        field_values = _field_values(related[1])
        out = []
        for row in rows:
            value: dict = {}
            text = self.entry(row, themes.get(row[0]), dists.get(row[0]), fields, value, field_values)
            out.append((row[0], text, federable(value)))
        return out

    def entry(  # noqa: C901, PLR0912, PLR0913, PLR0915 — one branch per profile key
        self,
        row: tuple,
        themes: list[str] | None,
        dists: list[tuple] | None,
        fields: dict,
        value: dict | None = None,
        field_values: dict | None = None,
    ) -> str:
        """The entry's text; when ``value`` is given, the entry is also put in it as a dict (its
        distributions' data dictionaries taken from ``field_values``, see ``judged_texts``)."""
        (
            _pk,
            _version,
            _updated,
            slug,
            town_email,
            name,
            identifier,
            title,
            description,
            publisher_name,
            publisher_mbox,
            contact_name,
            contact_email,
            super_themes,
            keywords,
            periodicity,
            issued,
            modified,
            temporal,
            spatial,
            landing_page,
            license,
            language,
        ) = row
        urls = self.urls
        v: dict = {} if value is None else value  # thrown away when not asked for
        values = self._values
        page = urls.page(slug, identifier)
        out = ['{"identifier": ', _string(name)]
        v["identifier"] = name
        if title:
            out += (', "title": ', _string(title))
            v["title"] = title
        if description:
            out += (', "description": ', _string(description))
            v["description"] = description
        mbox = publisher_mbox or town_email or urls.mbox
        if publisher_name or mbox:
            out.append(', "publisher": {')
            publisher = v["publisher"] = {}
            if publisher_name:
                out += ('"name": ', _string(publisher_name))
                publisher["name"] = publisher_name
            if mbox:
                out += (', "mbox": ' if publisher_name else '"mbox": ', _string(mbox))
                publisher["mbox"] = mbox
            out.append("}")
        if contact_name or contact_email:
            out.append(', "contactPoint": {')
            contact = v["contactPoint"] = {}
            if contact_name:
                out += ('"fn": ', _string(contact_name))
                contact["fn"] = contact_name
            if contact_email:
                out += (', "hasEmail": ' if contact_name else '"hasEmail": ', _string(contact_email))
                contact["hasEmail"] = contact_email
            out.append("}")
        text = self.json_list(super_themes)
        if text:
            out += (', "superTheme": ', text)
            v["superTheme"] = values[text]
        if themes:
            out += (', "theme": [', ", ".join(map(_string, themes)), "]")
            v["theme"] = themes
        text = self.json_list(keywords)
        if text:
            out += (', "keyword": ', text)
            v["keyword"] = values[text]
        if periodicity:
            out += (', "accrualPeriodicity": ', _string(periodicity))
            v["accrualPeriodicity"] = periodicity
        text = self.date(issued)
        if text:
            out += (', "issued": "', text, '"')
            v["issued"] = text
        text = self.date(modified)
        if text:
            out += (', "modified": "', text, '"')
            v["modified"] = text
        if temporal:
            out += (', "temporal": ', _string(temporal))
            v["temporal"] = temporal
        if spatial:
            out += (', "spatial": ', _string(spatial))
            v["spatial"] = spatial
        landing = landing_page or page
        if landing:
            out += (', "landingPage": ', _string(landing))
            v["landingPage"] = landing
        text = self.license(license)
        if text:
            out += (', "license": ', text)
            v["license"] = values[text]
        text = self.json_list(language, ("spa",))
        out += (', "language": ', text)
        v["language"] = values[text]
        if dists:
            out.append(', "distribution": [')
            if value is None:
                out.append(", ".join([self.distribution(d, slug, identifier, page, fields) for d in dists]))
            else:
                into: list = []
                texts = [self.distribution(d, slug, identifier, page, fields, into, field_values) for d in dists]
                out.append(", ".join(texts))
                v["distribution"] = into
            out.append("]")
        out.append("}")
        return "".join(out)

    def distribution(  # noqa: C901, PLR0912, PLR0913 — one branch per key
        self,
        row: tuple,
        slug: str,
        dataset_identifier: str,
        page: str | None,
        fields: dict,
        into: list | None = None,
        field_values: dict | None = None,
    ) -> str:
        """The distribution's text; with ``into``, its dict is appended to it too."""
        (
            _dataset_id,
            pk,
            name,
            identifier,
            title,
            description,
            format_,
            media_type,
            byte_size,
            file_name,
            license,
            issued,
            modified,
            kind,
            file,
            access_url,
            external_url,
        ) = row
        v: dict = {}
        if into is not None:
            into.append(v)
        download = self.urls.file_url(slug, dataset_identifier, kind, identifier, file, access_url, external_url)
        access = access_url or page or download
        out = ['{"identifier": ', _string(name)]
        v["identifier"] = name
        if title:
            out += (', "title": ', _string(title))
            v["title"] = title
        if description:
            out += (', "description": ', _string(description))
            v["description"] = description
        if access:
            out += (', "accessURL": ', _string(access))
            v["accessURL"] = access
        if download:
            out += (', "downloadURL": ', _string(download))
            v["downloadURL"] = download
        if format_:
            out += (', "format": ', _string(format_))
            v["format"] = format_
        if media_type:
            out += (', "mediaType": ', _string(media_type))
            v["mediaType"] = media_type
        if byte_size is not None:
            out += (', "byteSize": ', _number(byte_size))
            v["byteSize"] = byte_size
        if file_name:
            out += (', "fileName": ', _string(file_name))
            v["fileName"] = file_name
        if license:
            text = self.license(license)
            if text:
                out += (', "license": ', text)
                v["license"] = self._values[text]
        text = self.date(issued)
        if text:
            out += (', "issued": "', text, '"')
            v["issued"] = text
        text = self.date(modified)
        if text:
            out += (', "modified": "', text, '"')
            v["modified"] = text
        text = fields.get(pk)
        if text:
            out += (', "field": [', text, "]")
            v["field"] = field_values.get(pk) if field_values is not None else None
        out.append("}")
        return "".join(out)


def related_queries(first_id: int, last_id: int) -> list[Query]:
    """Reads of what entries of the datasets with ids in the range are written from besides their
    own rows: live distributions in the entry's order, and their fields (``EntryWriter.texts``)."""
    distributions = Distribution.objects.filter(
        dataset__gte=first_id, dataset__lte=last_id, deleted_at__isnull=True
    ).order_by("dataset_id", "position", "id")
    fields = Field.objects.filter(distribution__dataset__gte=first_id, distribution__dataset__lte=last_id).order_by(
        "distribution_id", "position", "id"
    )
    return [
        select(distributions, DISTRIBUTION_COLUMNS),
        select(fields, ("distribution_id", "title", "type", "description", "units")),
    ]


def _distributions(rows: list[tuple]) -> dict[int, list[tuple]]:
    """Distribution rows by dataset, keeping their order."""
    out: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        out[row[0]].append(row)
    return out


def _fields(rows: list[tuple]) -> dict[int, str]:
    """The data dictionary text (inside the list's brackets) of each distribution of the rows."""
    out: dict[int, list[str]] = defaultdict(list)
    for distribution_id, title, type_, description, units in rows:
        text = '{"title": ' + _string(title) + ', "type": ' + _string(type_)
        if description:
            text += ', "description": ' + _string(description)
        if units:
            text += ', "units": ' + _string(units)
        out[distribution_id].append(text + "}")
    return {pk: ", ".join(texts) for pk, texts in out.items()}


def _field_values(rows: list[tuple]) -> dict[int, list[dict]]:
    """The data dictionary of each distribution of the rows as dicts (what ``_fields`` writes)."""
    out: dict[int, list[dict]] = defaultdict(list)
    for distribution_id, title, type_, description, units in rows:
        field = {"title": title, "type": type_}
        if description:
            field["description"] = description
        if units:
            field["units"] = units
        out[distribution_id].append(field)
    return dict(out)
