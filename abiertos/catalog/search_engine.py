"""A per-process, read-only columnar copy of the search index: what search counts and orders on.

Search engines keep the columns they filter, facet and sort on as compact per-document arrays
("doc values" in Lucene, "field data" in Elasticsearch). This module does the same for the
catalog's ``DatasetSearchEntry`` and ``DatasetSearchFacet`` rows, so that a search is: the
database's text query for the matching ids (FTS5 / tsvector), then counting facets and picking
the page in memory, with ``pyarrow.compute`` (no per-match Python loop):

- per dataset id (the arrays are indexed by it): present, public, published flags, municipality
  id, and ``updated``/``created``/``modified``/``fresh_until`` as microseconds (``NULL_TIME`` for
  NULL);
- per facet kind, two parallel arrays ``(row, slot)``, one pair per facet row, where a slot is a
  small per-process integer for one distinct (facet, value, label). Facets of a match set are
  ``value_counts(filter(slots, take(match_mask, rows)))``; a facet filter is the rows of its slots.

It never serves a stale answer. Every index write bumps ``SearchIndexGeneration`` (token and
sequence number) and appends the entries it touched to ``SearchIndexChange``, in its own
transaction (search_index.index_generation_bump). Before each search the copy compares its
(token, seq) with the database's; if they differ it re-reads only the logged entries (the rows of
the log must continue exactly the token it holds), or reloads everything when the log has been
pruned past it, says "anything changed", or does not continue its state (e.g. after a rolled-back
transaction it had read). After the text query the generation is read again: if it moved, the
search starts over, so the text match and the columns always describe the same index state.

Sorting by strings (title, name, CKAN's ``id``) is not held in memory (it would cost several MB
per process): those orders pick their page in SQL; counts and facets still come from here.
"""

from __future__ import annotations

import sys
import threading
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from .models import (
    DatasetSearchEntry,
    DatasetSearchFacet,
    SearchFacetValue,
    SearchIndexChange,
    SearchIndexGeneration,
)
from .search_backends import entry_match_condition, match_sql

NULL_TIME = -(2**63)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FLAGS = ("present", "is_public", "is_published")
TIMES = ("updated", "created", "modified", "fresh_until")
# A delta touching more entries than this reloads everything instead (a whole reindex).
DELTA_LIMIT = 20_000
CHUNK = 500
ATTEMPTS = 3
T = TypeVar("T")


class Stale(Exception):
    """The index changed while a search ran (or kept changing): start over, or use the SQL path."""


def micros(value: datetime | None) -> int:
    """A datetime as microseconds since 1970 (UTC), NULL_TIME for None; order is kept."""
    if value is None:
        return NULL_TIME
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // timedelta(microseconds=1)


def _arrow(values: array, kind: pa.DataType) -> pa.Array:
    """A zero-copy pyarrow view of an ``array.array`` (valid while the array is not resized)."""
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


@dataclass(frozen=True)
class Visibility:
    """Which rows a searcher may see: those with ``flag`` set (every row if None), plus every row
    of ``municipalities``."""

    flag: str | None = "is_public"
    municipalities: frozenset[int] = frozenset()


@dataclass(frozen=True)
class TextMatch:
    ids: pa.Array  # entries containing every term (int32)
    title_ids: list[pa.Array]  # per title term asked for: entries whose title has it
    seq: int = 0  # the index's sequence number the (last) text query saw


class ColumnarIndex:
    """One process's copy. Use ``search()``; the arrays are only read under ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.token: str | None = None  # None: never loaded
        self.seq = -1
        self.stats = {"full_loads": 0, "deltas": 0, "delta_entries": 0}
        self._reset()

    def _reset(self) -> None:
        self.size = 0
        self.flags = {name: array("b") for name in FLAGS}
        self.municipality = array("i")
        self.times = {name: array("q") for name in TIMES}
        self.pairs: dict[str, tuple[array, array]] = {}
        self.garbage: dict[str, int] = {}
        self.slot_of: dict[tuple[str, str, str], int] = {}
        self.slots: list[tuple[str, str, str]] = []
        self.slots_by_value: dict[tuple[str, str], list[int]] = {}

    # --- keeping in step with the database ---------------------------------------------------

    @staticmethod
    def db_state() -> tuple[str, int]:
        row = SearchIndexGeneration.objects.values_list("token", "seq").first()
        return (row[0], row[1]) if row else ("", 0)

    @property
    def state(self) -> tuple[str | None, int]:
        return self.token, self.seq

    def refresh(self) -> tuple[str, int]:
        """Bring the copy to the database's current index state; returns that state."""
        state = self.db_state()
        if state == self.state:
            return state
        with self.lock:
            current = state == self.state
            if not current and not (self.token is not None and state[1] > self.seq and self._catch_up(state)):
                self._load_all(state)
        return state

    def _catch_up(self, state: tuple[str, int]) -> bool:
        """Apply the logged changes since our state; False when the log cannot bring us there."""
        rows = (
            SearchIndexChange.objects.filter(seq__gt=self.seq, seq__lte=state[1])
            .order_by("seq")
            .values_list("seq", "dataset_id", "prev_token", "token")
        )
        expected_seq, expected_token = self.seq, self.token
        ids: set[int] = set()
        for seq, dataset_id, prev_token, token in rows.iterator(chunk_size=2000):
            if seq != expected_seq:  # a new write: it must continue the previous one's token
                if seq != expected_seq + 1 or prev_token != expected_token:
                    return False
                expected_seq, expected_token = seq, token
            elif token != expected_token:
                return False
            if dataset_id is None:
                return False
            if dataset_id:
                ids.add(dataset_id)
            if len(ids) > DELTA_LIMIT:
                return False
        if (expected_token, expected_seq) != state:
            return False
        self._apply(sorted(ids))
        self.token, self.seq = state
        self.stats["deltas"] += 1
        self.stats["delta_entries"] += len(ids)
        return True

    def _slot(self, facet: str, value: str, label: str) -> int:
        key = (facet, value, label)
        slot = self.slot_of.get(key)
        if slot is None:
            slot = self.slot_of[key] = len(self.slots) + 1  # 0 is never a slot
            self.slots.append(key)
            self.slots_by_value.setdefault((facet, value), []).append(slot)
        return slot

    def _grow(self, size: int) -> None:
        """Make room for dataset ids below ``size`` (new arrays: never resize one pyarrow may view)."""
        if size <= self.size:
            return
        size = max(size, self.size + self.size // 8)
        extra = size - self.size
        for name, values in self.flags.items():
            self.flags[name] = values + array("b", bytes(extra))
        self.municipality = self.municipality + array("i", bytes(4 * extra))
        for name, values in self.times.items():
            self.times[name] = values + array("q", [NULL_TIME]) * extra
        self.size = size

    def _set_entry(self, row: tuple) -> None:
        pk, municipality_id, is_public, is_published, *times = row
        self.flags["present"][pk] = 1
        self.flags["is_public"][pk] = int(bool(is_public))
        self.flags["is_published"][pk] = int(bool(is_published))
        self.municipality[pk] = municipality_id
        for name, value in zip(TIMES, times, strict=True):
            self.times[name][pk] = NULL_TIME if value is None else value

    def _clear_entry(self, pk: int) -> None:
        for values in self.flags.values():
            values[pk] = 0
        self.municipality[pk] = 0
        for values in self.times.values():
            values[pk] = NULL_TIME

    @staticmethod
    def _entries(where: str = "", params: list | tuple = ()) -> list[tuple]:
        """Entry rows (id, municipality, public, published, then the times as microseconds or None),
        converted in SQL: turning 400,000 values into datetimes and back cost seconds."""
        if connection.vendor == "postgresql":
            times = [f"(extract(epoch from {name}) * 1000000)::bigint" for name in TIMES]
        else:  # stored as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]"
            # strftime('%s') rounds to the millisecond first (".999999" gives the next second), so
            # the whole seconds are read from the text without its fraction.
            times = [
                f"CAST(strftime('%%s', substr({name}, 1, 19)) AS INTEGER) * 1000000"
                f" + CAST(substr({name}, 21, 6) AS INTEGER)"
                for name in TIMES
            ]
        table = DatasetSearchEntry._meta.db_table
        sql = f"SELECT dataset_id, municipality_id, is_public, is_published, {', '.join(times)} FROM {table} {where}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _load_all(self, state: tuple[str, int]) -> None:
        """Read the whole index (rows written after ``state`` are re-read by the next catch-up)."""
        self._reset()
        entries = self._entries()
        self._grow(max((row[0] for row in entries), default=0) + 1)
        for row in entries:
            self._set_entry(row)
        del entries
        ids = "string_agg(f.entry_id::text, ',')" if connection.vendor == "postgresql" else "group_concat(f.entry_id)"
        collected: dict[str, tuple[list[array], list[array]]] = {}
        with connection.cursor() as cursor:
            # Grouped by the integer value id (and the label): a third less work than by the strings.
            cursor.execute(
                f"SELECT v.facet, v.value, f.label, {ids} FROM {DatasetSearchFacet._meta.db_table} f "
                f"JOIN {SearchFacetValue._meta.db_table} v ON v.id = f.value_ref_id "
                "GROUP BY v.id, v.facet, v.value, f.label"
            )
            for facet, value, label, joined in cursor.fetchall():
                rows = array("i", map(int, joined.split(",")))
                slot = self._slot(facet, value, label)
                kind = collected.setdefault(facet, ([], []))
                kind[0].append(rows)
                kind[1].append(array("i", [slot]) * len(rows))
        for facet, (rows, slots) in collected.items():
            self.pairs[facet] = (
                array("i", b"".join(r.tobytes() for r in rows)),
                array("i", b"".join(s.tobytes() for s in slots)),
            )
            self.garbage[facet] = 0
        self.token, self.seq = state
        self.stats["full_loads"] += 1

    def _apply(self, ids: list[int]) -> None:
        """Re-read these entries and their facet rows (absent ones leave the copy)."""
        if not ids:
            return
        self._grow(max(ids) + 1)
        entries, facets = [], []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            entries += self._entries(f"WHERE dataset_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
            facets += DatasetSearchFacet.objects.filter(entry_id__in=chunk).values_list(
                "entry_id", "facet", "value", "label"
            )
        for pk in ids:
            self._clear_entry(pk)
        for row in entries:
            self._set_entry(row)
        changed = pa.array(ids, pa.int32())
        added: dict[str, tuple[array, array]] = {}
        for entry_id, facet, value, label in facets:
            rows, slots = added.setdefault(facet, (array("i"), array("i")))
            rows.append(entry_id)
            slots.append(self._slot(facet, value, label))
        for facet in set(self.pairs) | set(added):
            self._replace_pairs(facet, changed, added.get(facet))

    def _replace_pairs(self, facet: str, changed: pa.Array, added: tuple[array, array] | None) -> None:
        """Turn the changed entries' old (row, slot) pairs into garbage (row 0 is never a dataset),
        append their new ones, and compact when a quarter is garbage."""
        rows, slots = self.pairs.get(facet, (array("i"), array("i")))
        if rows:
            old = pc.indices_nonzero(pc.is_in(_arrow(rows, pa.int32()), value_set=changed)).to_pylist()
            for position in old:
                rows[position] = 0
            self.garbage[facet] = self.garbage.get(facet, 0) + len(old)
        if added is not None:
            rows, slots = rows + added[0], slots + added[1]
        if self.garbage.get(facet, 0) > len(rows) // 4:
            keep = pc.not_equal(_arrow(rows, pa.int32()), 0)
            rows = array("i", pc.filter(_arrow(rows, pa.int32()), keep).to_pylist())
            slots = array("i", pc.filter(_arrow(slots, pa.int32()), keep).to_pylist())
            self.garbage[facet] = 0
        self.pairs[facet] = (rows, slots)

    def memory_bytes(self) -> int:
        """Bytes held by the arrays (the slot dictionary, a few thousand strings, is extra)."""
        arrays = [*self.flags.values(), self.municipality, *self.times.values()]
        arrays += [a for pair in self.pairs.values() for a in pair]
        return sum(a.itemsize * len(a) for a in arrays)

    # --- reading (under ``lock``, at a known state) ---------------------------------------------

    def _flag(self, name: str) -> pa.BooleanArray:
        return pc.not_equal(_arrow(self.flags[name], pa.int8()), 0)

    def _rows_mask(self, ids: Iterable[int] | pa.Array) -> pa.BooleanArray:
        ids = ids if isinstance(ids, pa.Array) else pa.array(list(ids), pa.int64())
        if not self.size:
            return pa.array([], pa.bool_())
        try:
            scattered = pc.scatter(pa.repeat(True, len(ids)), ids, max_index=self.size - 1)
        except (pa.ArrowIndexError, IndexError) as error:  # an id newer than this copy
            raise Stale from error
        return pc.fill_null(scattered, False)

    def slots_for(self, facet: str, values: Iterable[str]) -> list[int]:
        return [slot for value in values for slot in self.slots_by_value.get((facet, value), [])]

    def with_slots(self, facet: str, slots: list[int]) -> pa.BooleanArray:
        """The rows holding any of these slots."""
        rows, values = self.pairs.get(facet, (array("i"), array("i")))
        if not slots or not rows:
            return self._rows_mask([])
        having = pc.filter(_arrow(rows, pa.int32()), pc.is_in(_arrow(values, pa.int32()), value_set=pa.array(slots)))
        return self._rows_mask(having)

    def select(
        self,
        *,
        match: TextMatch | None,
        visibility: Visibility,
        facet_filters: Iterable[tuple[str, list[int]]] = (),
        ranges: Iterable[tuple[str, str, int]] = (),
    ) -> pa.BooleanArray:
        """The mask of rows that match: text, visibility, every facet filter (any of its slots),
        every range (column, operator among gt/gte/lt/lte, microseconds; NULL never matches)."""
        mask = self._flag("present")
        if match is not None:
            mask = pc.and_(mask, self._rows_mask(match.ids))
        visible = self._flag(visibility.flag) if visibility.flag else mask
        if visibility.municipalities:
            mine = pc.is_in(
                _arrow(self.municipality, pa.int32()), value_set=pa.array(sorted(visibility.municipalities))
            )
            visible = pc.or_(visible, mine)
        mask = pc.and_(mask, visible)
        for facet, slots in facet_filters:
            mask = pc.and_(mask, self.with_slots(facet, slots))
        operators = {"gt": pc.greater, "gte": pc.greater_equal, "lt": pc.less, "lte": pc.less_equal}
        for column, operator, value in ranges:
            times = _arrow(self.times[column], pa.int64())
            mask = pc.and_(mask, pc.and_(operators[operator](times, value), pc.not_equal(times, NULL_TIME)))
        return mask

    def count(self, mask: pa.BooleanArray) -> int:
        return mask.true_count

    def fresh_count(self, mask: pa.BooleanArray, now: datetime) -> int:
        fresh = pc.greater(_arrow(self.times["fresh_until"], pa.int64()), micros(now))
        return pc.and_(mask, fresh).true_count

    def fresh_mask(self, up_to_date: bool, now: datetime) -> pa.BooleanArray:
        fresh = pc.greater(_arrow(self.times["fresh_until"], pa.int64()), micros(now))
        return fresh if up_to_date else pc.invert(fresh)

    def facet_counts(self, mask: pa.BooleanArray, facet: str) -> list[tuple[str, str, int]]:
        """(value, label, rows) per slot of ``facet`` among the masked rows."""
        rows, slots = self.pairs.get(facet, (array("i"), array("i")))
        if not rows:
            return []
        chosen = pc.filter(_arrow(slots, pa.int32()), pc.take(mask, _arrow(rows, pa.int32())))
        counted = pc.value_counts(chosen)
        found = counted.field(0).to_pylist()
        counts = counted.field(1).to_pylist()
        out = []
        for slot, n in zip(found, counts, strict=True):
            _facet, value, label = self.slots[slot - 1]
            out.append((value, label, n))
        return out

    def title_hits(self, match: TextMatch) -> pa.Array:
        """Per row, how many of the title terms its title has."""
        hits = pa.repeat(0, self.size).cast(pa.int8())
        for ids in match.title_ids:
            hits = pc.add(hits, self._rows_mask(ids).cast(pa.int8()))
        return hits

    def ordered_ids(
        self,
        mask: pa.BooleanArray,
        keys: list[tuple[str | pa.Array, bool]],
        *,
        id_descending: bool,
        start: int,
        rows: int,
        nulls_first: bool = False,
    ) -> list[int]:
        """One page of the masked rows' ids, ordered by ``keys`` (a time column's name or a per-row
        array, descending?), then by id."""
        if rows <= 0:
            return []
        chosen = pc.indices_nonzero(mask)
        nulls = "at_start" if nulls_first else "at_end"
        columns, sort_keys = {}, []
        for n, (key, descending) in enumerate(keys):
            if isinstance(key, str):
                values = pc.take(_arrow(self.times[key], pa.int64()), chosen)
                values = pc.if_else(pc.equal(values, NULL_TIME), pa.scalar(None, pa.int64()), values)
            else:
                values = pc.take(key, chosen)
            columns[f"k{n}"] = values
            sort_keys.append((f"k{n}", "descending" if descending else "ascending", nulls))
        columns["id"] = chosen
        sort_keys.append(("id", "descending" if id_descending else "ascending", nulls))
        order = pc.sort_indices(pa.table(columns), sort_keys=sort_keys)
        return pc.take(chosen, order[start : start + rows]).to_pylist()


# Each text query returns one row: the index's sequence number, read in the same statement (so in
# the same snapshot) to check that no write came in between, and the matching ids packed in one
# value: on PostgreSQL as 4-byte big-endian integers (bytea), unpacked by a C copy; on SQLite as
# decimal text ("12,345,…"), parsed by pyarrow. Fetching 15,000 one-column rows cost milliseconds
# of Python objects; SQLite's ``printf('%08x')`` per id, used before, cost twice as much as its
# plain ``group_concat`` and parsing (3.0 against 1.5 ms for 15,530 ids; docs/benchmarks.md).
_SEQ = "(SELECT seq FROM catalog_searchindexgeneration)"


def _ids(packed: bytes | None) -> pa.Array:
    values = array("i")
    if packed:
        values.frombytes(bytes(packed))
        if sys.byteorder == "little":
            values.byteswap()
    return _arrow(values, pa.int32())


def _ids_text(listed: str | None) -> pa.Array:
    """Ids listed as comma-separated decimal text, as an int32 array."""
    if not listed:
        return pa.array([], pa.int32())
    return pc.cast(pc.list_flatten(pc.split_pattern(pa.array([listed]), ",")), pa.int32())


def text_match(terms: list[str], title_terms: list[str] = ()) -> TextMatch:
    """The ids of the entries holding every term, and, per title term, those whose title has it,
    with the index's sequence number as these queries saw it (-1 if they did not all see the same).

    SQLite: the FTS5 table (one query, plus one per title term, on the title column). PostgreSQL:
    one query on the entries' tsvector that also checks each match's stored title terms (asking the
    index for title-weighted terms would recheck every match's whole tsvector)."""
    if connection.vendor == "postgresql":
        where, params = entry_match_condition(terms)
        titles = "".join(
            ", string_agg(int4send(dataset_id::int4), '') FILTER (WHERE strpos(' ' || title_terms || ' ', %s) > 0)"
            for _t in title_terms
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_SEQ}, string_agg(int4send(dataset_id::int4), ''){titles} "
                f"FROM catalog_datasetsearchentry WHERE {where}",
                [*(f" {t} " for t in title_terms), *params],
            )
            seq, *packed = cursor.fetchone()
        return TextMatch(_ids(packed[0]), [_ids(p) for p in packed[1:]], seq or 0)
    found, seqs = [], set()
    with connection.cursor() as cursor:
        for sql, params in [match_sql(terms), *(match_sql([term], "title_any") for term in title_terms)]:
            cursor.execute(f"SELECT {_SEQ}, group_concat(m.rowid, ',') FROM ({sql}) m", params)
            seq, listed = cursor.fetchone()
            found.append(_ids_text(listed))
            seqs.add(seq or 0)
            if not len(found[0]):  # nothing matches: no title to rank
                return TextMatch(found[0], [found[0] for _t in title_terms], seq or 0)
    return TextMatch(found[0], found[1:], seqs.pop() if len(seqs) == 1 else -1)


_INDEX = ColumnarIndex()


def columnar_index() -> ColumnarIndex:
    """This process's copy (loaded on first use)."""
    return _INDEX


def search(
    compute: Callable[[ColumnarIndex, TextMatch | None], T],
    terms: list[str],
    title_terms: list[str] = (),
    index: ColumnarIndex | None = None,
) -> T:
    """``compute(index, text match)`` on a copy at the same index state as the text match.

    Raises Stale if the index kept changing during ``ATTEMPTS`` tries (callers then use SQL)."""
    index = index or _INDEX
    for _attempt in range(ATTEMPTS):
        state = index.refresh()
        match = None
        if terms:
            match = text_match(terms, list(title_terms))
            if match.seq != state[1]:  # a write came in between: the columns may not describe it
                continue
        with index.lock:
            if index.state != state:
                continue
            try:
                return compute(index, match)
            except Stale:
                continue
    raise Stale
