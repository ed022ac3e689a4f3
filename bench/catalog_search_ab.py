"""Cold package_search, the index path before and after issue 3's speed-up, interleaved in one run.

The machine is shared, so figures from separate runs are not comparable: this alternates the
previous ``index_querying`` (taken from git, commit 37ac522) and the current one on the same
catalog, query by query, each with the answer cache emptied, and reports p50/p95 of each. The
previous module runs on the current schema (it ignores the value ids and the new indexes).

    python bench/catalog_search_ab.py --db sqlite [--runs 120]
    python bench/catalog_search_ab.py --db postgres --pg-database h_catalog_bench
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time

from _setup import OUT, ROOT, percentile
from catalog_bench import QUERIES
from catalog_setup import django_for

BEFORE = "37ac522"


def _previous_module():
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:abiertos/ckan_api/index_querying.py"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    path = OUT / "index_querying_before.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("abiertos.ckan_api.index_querying_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--runs", type=int, default=120)
    parser.add_argument("--pg-database", default=None)
    args = parser.parse_args()
    django_for(args.db, "catalog", args.pg_database)
    from django.core.cache import cache
    from django.test import Client

    from abiertos.ckan_api import index_querying, querying

    variants = {"before": _previous_module(), "after": index_querying}
    client = Client()
    facets = json.dumps(["organization", "tags", "res_format"])
    samples = {name: [] for name in variants}
    answers = {name: {} for name in variants}
    for i in range(args.runs + len(QUERIES)):
        q = QUERIES[i % len(QUERIES)]
        for name, module in variants.items() if i % 2 else reversed(variants.items()):
            querying.index_querying = module
            cache.clear()
            started = time.perf_counter()
            response = client.get("/api/3/action/package_search", {"q": q, "facet.field": facets, "rows": 10})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200
            result = response.json()["result"]
            answers[name][q] = (result["count"], result["facets"], [d["name"] for d in result["results"]])
            if i >= len(QUERIES):  # the first round only warms the database's pages
                samples[name].append(elapsed)
    querying.index_querying = index_querying
    same = answers["before"] == answers["after"]
    out = {
        "db": args.db,
        "runs_each": args.runs,
        "same_answers": same,
        **{
            f"cold_{name}": {"p50_ms": round(percentile(s, 50), 2), "p95_ms": round(percentile(s, 95), 2)}
            for name, s in samples.items()
        },
    }
    (OUT / f"catalog-search-ab-{args.db}.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))
    if not same:
        sys.exit("the two index paths gave different answers")


if __name__ == "__main__":
    main()
