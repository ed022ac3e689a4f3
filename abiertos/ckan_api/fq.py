"""A small, safe parser for the subset of Lucene/Solr syntax that CKAN clients send in ``q`` and ``fq``.

Accepted: ``field:value``, ``field:"quoted value"``, ``field:(a OR b)``, ranges such as
``metadata_modified:[2025-01-01T00:00:00Z TO *]`` (``[]`` inclusive, ``{}`` exclusive, ``NOW`` and
``NOW-7DAYS``), ``*:*``, bare words (full-text terms), ``+``/``-``/``NOT`` prefixes, ``AND``/``OR``
and parentheses. Juxtaposed clauses are ANDed, as CKAN's Solr configuration does. Only the fields in
``FIELDS`` are known; anything else raises ``SearchQueryError`` — the text never reaches a database
as syntax, it is turned into a tree that ``querying`` translates into ORM filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

FIELDS = frozenset(
    {
        "organization",
        "owner_org",
        "tags",
        "res_format",
        "groups",
        "license_id",
        "name",
        "id",
        "metadata_modified",
        "metadata_created",
        "dataset_type",
        "type",
        "capacity",
    }
)
RANGE_FIELDS = frozenset({"metadata_modified", "metadata_created"})
MAX_QUERY_LENGTH = 2000
MAX_DEPTH = 20


class SearchQueryError(Exception):
    """The query uses syntax or fields outside the supported subset."""


@dataclass(frozen=True)
class Term:
    field: str  # "" for a full-text term
    value: str


@dataclass(frozen=True)
class Range:
    field: str
    low: datetime | None
    high: datetime | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Range | MatchAll | Not | And | Or

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<range>[\[{][^\]}]*[\]}])
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<prefix>[+\-](?=\S))
  | (?P<word>(?:[^\s()"\[\]{}:\\]|\\.)+)
  | (?P<colon>:)
    """,
    re.VERBOSE,
)
_DATE_MATH_RE = re.compile(r"^NOW(?:([+-])(\d+)(SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|YEAR)S?)?(?:/DAY)?$")
_UNIT_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400, "WEEK": 604800, "MONTH": 2592000}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            raise SearchQueryError(_("carácter no admitido en la posición %(p)d") % {"p": position + 1})
        if match.lastgroup != "ws":
            tokens.append((match.lastgroup, match.group()))
        position = match.end()
    return tokens


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def parse_datetime_bound(value: str) -> datetime | None:
    """A range bound: ``*``, an ISO 8601 date or date-time (UTC when naive), or Solr date math."""
    value = value.strip()
    if value == "*":
        return None
    try:
        if match := _DATE_MATH_RE.match(value):
            return _date_math(match)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise SearchQueryError(_("«%(v)s» no es una fecha ISO 8601 válida") % {"v": value}) from None


def _date_math(match: re.Match) -> datetime:
    now = datetime.now(tz=UTC)
    if not match.group(1):
        return now
    unit = match.group(3)
    amount = int(match.group(2)) * (365 * 86400 if unit == "YEAR" else _UNIT_SECONDS[unit])
    return now + timedelta(seconds=amount if match.group(1) == "+" else -amount)


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        i = self.index + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise SearchQueryError(_("la consulta termina antes de tiempo"))
        self.index += 1
        return token

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token == ("word", word)

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise SearchQueryError(_("no se esperaba «%(t)s»") % {"t": self.peek()[1]})
        return node

    def or_expr(self) -> Node:
        nodes = [self.and_expr()]
        while self.is_keyword("OR") or self.peek() == ("word", "||"):
            self.take()
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self) -> Node:
        nodes = [self.unary()]
        while (token := self.peek()) is not None and token[0] != "rparen" and not self.is_keyword("OR"):
            if self.is_keyword("AND") or token == ("word", "&&"):
                self.take()
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        kind, text = self.peek() or ("", "")
        if kind == "prefix":
            self.take()
            node = self.primary()
            return Not(node) if text == "-" else node
        if (kind, text) == ("word", "NOT"):
            self.take()
            return Not(self.primary())
        return self.primary()

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "lparen":
            return self.group(self.or_expr)
        if kind == "quoted":
            return Term("", _unescape(text[1:-1]))
        if kind != "word" or text in {"AND", "OR", "NOT", "&&", "||"}:
            raise SearchQueryError(_("no se esperaba «%(t)s»") % {"t": text})
        if self.peek() and self.peek()[0] == "colon":
            self.take()
            return self.field_value(text)
        if "*" in text or "?" in text:
            raise SearchQueryError(_("los comodines (* y ?) no están admitidos: «%(t)s»") % {"t": text})
        return Term("", _unescape(text))

    def group(self, inner) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SearchQueryError(_("la consulta tiene demasiados paréntesis anidados"))
        node = inner()
        if self.take()[0] != "rparen":
            raise SearchQueryError(_("falta cerrar un paréntesis"))
        self.depth -= 1
        return node

    def field_value(self, field: str) -> Node:
        if field == "*":
            if self.take() != ("word", "*"):
                raise SearchQueryError(_("solo se admite «*:*» como comodín de campo"))
            return MatchAll()
        if field not in FIELDS:
            raise SearchQueryError(
                _("el campo «%(f)s» no se puede consultar; se admiten: %(all)s")
                % {"f": field, "all": ", ".join(sorted(FIELDS))}
            )
        kind, text = self.take()
        if kind == "range":
            return self.range_value(field, text)
        if kind == "lparen":
            return self.group(lambda: self.value_list(field))
        return self.single_value(field, kind, text)

    def single_value(self, field: str, kind: str, text: str) -> Term:
        if field in RANGE_FIELDS:
            raise SearchQueryError(_("el campo «%(f)s» se consulta con un rango [desde TO hasta]") % {"f": field})
        if kind == "quoted":
            return Term(field, _unescape(text[1:-1]))
        if kind != "word":
            raise SearchQueryError(_("falta el valor del campo «%(f)s»") % {"f": field})
        if "*" in text or "?" in text:
            raise SearchQueryError(_("los comodines (* y ?) no están admitidos: «%(t)s»") % {"t": text})
        return Term(field, _unescape(text))

    def value_list(self, field: str) -> Node:
        """``field:(a OR b)``: the values inside the parentheses, joined by OR or AND."""
        values, joiner = [], None
        while (token := self.peek()) is not None and token[0] != "rparen":
            if token in {("word", "OR"), ("word", "AND")}:
                joiner = joiner or token[1]
                if joiner != token[1]:
                    raise SearchQueryError(_("no se pueden mezclar AND y OR dentro de «%(f)s:(…)»") % {"f": field})
                self.take()
                continue
            values.append(self.single_value(field, *self.take()))
        if not values:
            raise SearchQueryError(_("«%(f)s:()» no tiene valores") % {"f": field})
        if len(values) == 1:
            return values[0]
        return And(tuple(values)) if joiner == "AND" else Or(tuple(values))

    def range_value(self, field: str, text: str) -> Range:
        if field not in RANGE_FIELDS:
            raise SearchQueryError(_("el campo «%(f)s» no admite rangos") % {"f": field})
        parts = re.split(r"\s+TO\s+", text[1:-1].strip())
        if len(parts) != 2:
            raise SearchQueryError(_("un rango se escribe [desde TO hasta], por ejemplo [2025-01-01T00:00:00Z TO *]"))
        return Range(
            field,
            parse_datetime_bound(parts[0]),
            parse_datetime_bound(parts[1]),
            include_low=text[0] == "[",
            include_high=text[-1] == "]",
        )


def parse(text: str) -> Node:
    """Parse a q or fq string into a tree; an empty string matches everything."""
    text = (text or "").strip()
    if not text:
        return MatchAll()
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError(_("la consulta supera los %(n)d caracteres") % {"n": MAX_QUERY_LENGTH})
    return _Parser(_tokenize(text)).parse()


def has_field_syntax(text: str) -> bool:
    """Whether a ``q`` uses ``field:value`` syntax (then it is parsed like ``fq``)."""
    return bool(re.search(r"(^|[\s(+\-])(\*|[A-Za-z_]+):", text or ""))
