"""Spanish text normalisation for search: the one place that decides what a search term is.

Both databases index and query the terms this module produces, so SQLite (FTS5) and
PostgreSQL (tsvector) match exactly the same datasets. Neither database's own language
processing is used: SQLite has no Spanish stemmer, and PostgreSQL's ``spanish`` configuration
with ``unaccent`` stems accented and unaccented words differently from Snowball run here,
which would make the two backends disagree. A term is:

1. lowercased (``casefold``) and stripped of accents (``Educación`` → ``educacion``;
   ``ñ`` becomes ``n``, as PostgreSQL's ``unaccent`` would do);
2. split into runs of ``[a-z0-9]`` (everything else separates words);
3. dropped if it is a Spanish stop word or a search operator people type out of habit
   (``AND``, ``OR``, ``NOT``, ``NEAR``);
4. stemmed with the Spanish Snowball stemmer, then a final plural ``s`` the stemmer kept is
   removed, so ``obras`` and ``obra`` (which Snowball leaves apart) meet at ``obra``.

Changing any of these rules changes stored terms: run ``manage.py search_reindex`` after.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# Longer "words" are noise (hashes, base64); cut them so both databases accept them.
MAX_TERM_LENGTH = 40

_WORD = re.compile(r"[a-z0-9]+")

_STOP_WORDS = """
    a al algo algun alguna algunas alguno algunos ante antes aquel aquella aquellas aquellos aqui
    asi aun cada como con contra cual cuales cuando de del desde donde durante e el ella ellas
    ellos en entre era eran es esa esas ese eso esos esta estaba estan estas este esto estos fue
    fueron ha han hasta hay la las le les lo los mas me mi mis muy ni no nos o os otra otras otro
    otros para pero poco por porque que quien quienes se sea ser si sin sobre son su sus tambien
    tan tanto te todo todos tu tus u un una unas uno unos y ya yo
    and or not near
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_local = threading.local()


def unaccent(text: str) -> str:
    """Lowercase ``text`` and remove accents and other diacritics."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stemmer():
    # Snowball stemmer objects keep state while stemming: one per thread.
    if not hasattr(_local, "stemmer"):
        _local.stemmer = snowballstemmer.stemmer("spanish")
    return _local.stemmer


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The search term for one unaccented, lowercase word."""
    stemmed = _stemmer().stemWord(word)
    if len(stemmed) > 3 and stemmed.endswith("s") and not stemmed[-2].isdigit():
        stemmed = stemmed[:-1]
    return stemmed


def words(text: str) -> list[str]:
    """The unaccented, lowercase words of ``text`` that carry meaning, in order."""
    return [w[:MAX_TERM_LENGTH] for w in _WORD.findall(unaccent(text or "")) if w not in STOP_WORDS]


def terms(text: str) -> list[str]:
    """The search terms of ``text``, in order, repeated as they occur."""
    return [stem(w) for w in words(text)]


def terms_text(*texts: str) -> str:
    """The distinct search terms of several texts, space-separated, as stored in the index."""
    return " ".join(dict.fromkeys(t for text in texts for t in terms(text)))


def query_terms(query: str, *, limit: int = 32) -> list[str]:
    """The distinct terms of a typed query, at most ``limit`` (the rest is ignored)."""
    return list(dict.fromkeys(terms(query[:20_000])))[:limit]


def sort_key(text: str) -> str:
    """A key that sorts titles alphabetically the same way on every database."""
    return " ".join(_WORD.findall(unaccent(text or "")))[:200]


def facet_value(text: str) -> str:
    """The value under which free-text facet entries (keywords, publishers) are grouped."""
    return " ".join(_WORD.findall(unaccent(text or "")))[:200]
