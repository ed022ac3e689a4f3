"""Download the province /data.json in this process and report time, size and peak RSS."""

from __future__ import annotations

import argparse
import json
import resource
import time

from catalog_setup import django_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--name", default="catalog")
    parser.add_argument("--pg-database", default=None)
    args = parser.parse_args()
    django_for(args.db, args.name, args.pg_database)
    from django.test import Client

    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = Client().get("/data.json")
    size = 0
    datasets = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
            datasets += chunk.count(b'"accrualPeriodicity"')
    else:
        size = len(response.content)
        datasets = response.content.count(b'"accrualPeriodicity"')
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "status": response.status_code,
                "streaming": response.streaming,
                "seconds": round(seconds, 2),
                "megabytes": round(size / 1e6, 1),
                "datasets": datasets,
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "rss_before_request_mb": round(baseline_kb / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
