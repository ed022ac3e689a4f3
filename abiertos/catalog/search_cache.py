"""Search answers cached until the search index changes (see docs/catalog.md).

The key includes the index's generation token, which every index write replaces in its own
transaction (search_index.index_generation_bump): an answer computed for one index state is never
served for a later one, whichever process wrote. Only answers that do not depend on who asks are
cached (public searches).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from .search_index import index_generation

CACHE_SECONDS = 600
T = TypeVar("T")


def search_cached(key_parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its answer from the cache for the index's current generation."""
    generation = index_generation()
    if generation is None:
        return compute()
    digest = hashlib.sha256(repr(key_parts).encode()).hexdigest()
    key = f"search:{generation}:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found
