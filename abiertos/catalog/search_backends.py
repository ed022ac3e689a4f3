"""The only database-specific part of search: which indexed datasets contain some terms.

Terms come from text.py, so they are ``[a-z0-9]+`` words: they need no escaping in either
query language, and they are still quoted (FTS5) or passed as a bound tsquery (PostgreSQL),
so that nothing a person types can reach a query parser. Each function returns
``(sql, params)`` for a subquery that yields dataset ids, used as ``pk IN (subquery)``.

``scope`` chooses where the terms must occur: ``"all"`` every term anywhere (title, keywords
or body: the search itself); ``"title_all"`` every term in the title; ``"title_any"`` some term
in the title (both for ranking).
"""

from __future__ import annotations

import re

from django.db import connection

_TERM = re.compile(r"[a-z0-9]+")
SCOPES = ("all", "title_all", "title_any")


def _fts5_expression(terms: list[str], scope: str) -> str:
    quoted = [f'"{t}"' for t in terms]
    if scope == "all":
        return " ".join(quoted)
    joiner = " OR " if scope == "title_any" else " "
    return f"title_terms : ({joiner.join(quoted)})"


def _tsquery(terms: list[str], scope: str) -> str:
    weight = "" if scope == "all" else ":A"
    joiner = " | " if scope == "title_any" else " & "
    return joiner.join(f"'{t}'{weight}" for t in terms)


def match_sql(terms: list[str], scope: str = "all") -> tuple[str, list[str]]:
    """A subquery of the ids of indexed datasets whose terms match, on the current database."""
    if scope not in SCOPES:
        raise ValueError(f"Unknown scope {scope!r}")
    if not terms or not all(_TERM.fullmatch(t) for t in terms):
        raise ValueError("Search terms must be normalised by catalog.text first.")
    if connection.vendor == "postgresql":
        return (
            "SELECT dataset_id FROM catalog_datasetsearchentry WHERE document @@ %s::tsquery",
            [_tsquery(terms, scope)],
        )
    return (
        "SELECT rowid FROM catalog_datasetsearch_fts WHERE catalog_datasetsearch_fts MATCH %s",
        [_fts5_expression(terms, scope)],
    )


def entry_match_condition(terms: list[str], scope: str = "all") -> tuple[str, list[str]]:
    """A condition on ``catalog_datasetsearchentry`` rows: their terms match.

    On PostgreSQL the ``document`` column is on the entry itself, so the condition reads it there:
    one bitmap scan of the entries instead of a second pass probing them by the matching ids. On
    SQLite the text index is a separate FTS5 table, joined by rowid."""
    sql, params = match_sql(terms, scope)
    if connection.vendor == "postgresql":
        return "catalog_datasetsearchentry.document @@ %s::tsquery", params
    return f"catalog_datasetsearchentry.dataset_id IN ({sql})", params


def rebuild_text_index() -> None:
    """Rebuild the text index from the entry table (SQLite; PostgreSQL's column is generated)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO catalog_datasetsearch_fts(catalog_datasetsearch_fts) VALUES ('rebuild')")
