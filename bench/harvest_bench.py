"""Harvest benchmark: N local sources of M datasets each (CKAN Action API and data.json, half and
half) served by a separate process on 127.0.0.1, harvested one after another as one worker would:
first harvest, re-harvest with nothing changed, re-harvest with 1% changed; peak memory. In the
same run, the same catalogs are read with pydatajson's own readers (``DataJson`` for data.json,
``read_ckan_catalog`` for CKAN, its 0.2 s pause per package switched off) in .venv-pydatajson.

    .venv/bin/python bench/harvest_bench.py --db sqlite --sources 135 --datasets 300
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import OUT, ROOT, django_for  # noqa: E402

SERVED = OUT / "harvest-sources"  # one folder per database and size, set in main(), so such runs can overlap
PYDATAJSON = ROOT / ".venv-pydatajson" / "bin" / "python"


def _entry(i: int, j: int, version: int) -> dict:
    suffix = f" (revisión {version})" if version else ""
    return {
        "identifier": f"s{i}-ds{j}",
        "title": f"Conjunto {j} del municipio {i}{suffix}",
        "description": f"Datos de prueba número {j} publicados por el municipio {i}.",
        "publisher": {"name": f"Municipio {i}", "mbox": f"datos{i}@example.org"},
        "superTheme": ["ECON"],
        "keyword": ["presupuesto", f"año {2000 + j % 25}"],
        "accrualPeriodicity": "R/P1M",
        "issued": "2024-01-10T09:30:00-03:00",
        "modified": f"2024-0{1 + version}-10T09:30:00-03:00",
        "license": "cc-by-4.0",
        "distribution": [
            {
                "identifier": f"s{i}-ds{j}-csv",
                "title": f"Datos {j} en CSV",
                "downloadURL": f"https://datos{i}.example.org/{j}.csv",
                "accessURL": f"https://datos{i}.example.org/{j}",
                "format": "CSV",
            }
        ],
    }


def _package(entry: dict, version: int, now: str = "") -> dict:
    return {
        "id": entry["identifier"],
        "name": entry["identifier"],
        "title": entry["title"],
        "notes": entry["description"],
        "author": entry["publisher"]["name"],
        "author_email": entry["publisher"]["mbox"],
        "license_id": "cc-by-4.0",
        "state": "active",
        "private": False,
        "metadata_created": "2024-01-10T12:30:00",
        # A revised package carries the time it was revised, as CKAN stamps it.
        "metadata_modified": now if version else "2024-01-10T12:30:00",
        "tags": [{"name": k} for k in entry["keyword"]],
        "groups": [],
        "extras": [
            {"key": "superTheme", "value": json.dumps(entry["superTheme"])},
            {"key": "accrualPeriodicity", "value": entry["accrualPeriodicity"]},
            {"key": "issued", "value": entry["issued"]},
            {"key": "modified", "value": entry["modified"]},
        ],
        "resources": [
            {
                "id": d["identifier"],
                "package_id": entry["identifier"],
                "name": d["title"],
                "description": d["title"],
                "created": "2024-01-10T12:30:00",
                "url": d["downloadURL"],
                "format": d["format"],
            }
            for d in entry["distribution"]
        ],
    }


def write_sources(sources: int, datasets: int, changed_every: int = 0, now: str = "") -> None:
    """Write every source's catalog; with ``changed_every``, one dataset in that many is revised."""
    SERVED.mkdir(parents=True, exist_ok=True)
    for i in range(sources):
        entries = []
        for j in range(datasets):
            version = 1 if changed_every and j % changed_every == 0 else 0
            entries.append((_entry(i, j, version), version))
        if i % 2 == 0:
            body = {
                "title": f"Municipio {i}",
                "description": "Catálogo",
                "publisher": {"name": f"Municipio {i}"},
                "superThemeTaxonomy": "http://datos.gob.ar/superThemeTaxonomy.json",
                "dataset": [e for e, _v in entries],
            }
        else:
            body = {"packages": [_package(e, v, now) for e, v in entries]}
        (SERVED / f"s{i}.json").write_text(json.dumps(body, ensure_ascii=False))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cache: dict = {}

    def log_message(self, *args) -> None:
        pass

    def _load(self, name: str) -> dict:
        path = SERVED / f"{name}.json"
        stamp = path.stat().st_mtime_ns
        if self.cache.get(name, (None,))[0] != stamp:
            self.cache[name] = (stamp, json.loads(path.read_bytes()))
        return self.cache[name][1]

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 (ckanapi, as pydatajson uses it, posts a JSON body)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        self.do_GET(extra={k: str(v) for k, v in body.items()})

    def do_GET(self, extra: dict | None = None) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()} | (extra or {})
        name, _sep, rest = parts.path.strip("/").partition("/")
        if rest == "data.json":
            return self._send((SERVED / f"{name}.json").read_bytes())
        packages = self._load(name)["packages"]
        action = rest.rsplit("/", 1)[-1]
        result: object
        if action == "package_search":
            found = sorted(packages, key=lambda p: p["id"])
            fq = query.get("fq", "")
            if "metadata_modified:[" in fq:
                since = fq.split("metadata_modified:[", 1)[1].split(" TO ")[0].rstrip("Z")
                found = [p for p in found if p["metadata_modified"] >= since]
            start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
            result = {"count": len(found), "results": found[start : start + rows]}
        elif action == "package_list":
            result = [p["name"] for p in packages]
        elif action == "package_show":
            result = next(p for p in packages if p["name"] == query.get("id"))
        elif action == "status_show":
            result = {"site_title": name, "site_description": "Portal", "site_url": "", "ckan_version": "2.7.3"}
        elif action == "group_list":
            result = []
        else:
            result = None
        return self._send(json.dumps({"success": True, "result": result}).encode())


def _serve(port_queue) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of another process (the local server), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _harvest_share(source_ids: list[int], dry_run: bool, conn) -> None:
    """Harvest some sources one after another, as one worker would; send back counts and costs."""
    from abiertos.harvest.models import HarvestRun, HarvestSource
    from abiertos.harvest.runs import harvest_run_execute

    totals = {"created": 0, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
    # HARVEST_PROFILE=<path>: each worker writes a cProfile of its share to <path>.<phase n>.<pid>.
    profiler = None
    if profile_to := os.environ.get("HARVEST_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu = time.process_time()
    for source in HarvestSource.objects.filter(pk__in=source_ids).select_related("municipality").order_by("pk"):
        run = harvest_run_execute(run=HarvestRun.objects.create(source=source, dry_run=dry_run))
        for key in totals:
            totals[key] += getattr(run, key)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile_to}.{time.monotonic_ns()}.{os.getpid()}")
    conn.send({**totals, "cpu_s": time.process_time() - cpu, "peak_rss_mb": _rss_mb()})
    conn.close()


def _harvest_all(sources, label: str, *, dry_run: bool = False, workers: int = 1, server_pid: int = 0) -> dict:
    """Harvest every source with ``workers`` worker processes (sources dealt out in turn)."""
    from django.db import connections

    connections.close_all()  # each worker opens its own connection
    context = multiprocessing.get_context("fork")
    server_cpu = _cpu_of(server_pid) if server_pid else 0.0
    started = time.perf_counter()
    procs = []
    for w in range(workers):
        parent, child = context.Pipe(duplex=False)
        ids = [s.pk for s in sources[w::workers]]
        proc = context.Process(target=_harvest_share, args=(ids, dry_run, child))
        proc.start()
        procs.append((proc, parent))
    reports = [parent.recv() for _proc, parent in procs]
    for proc, _parent in procs:
        proc.join()
    figures = {
        "phase": label,
        "workers": workers,
        "wall_s": round(time.perf_counter() - started, 2),
        "cpu_s": round(sum(r["cpu_s"] for r in reports), 2),
        "server_cpu_s": round(_cpu_of(server_pid) - server_cpu, 2) if server_pid else None,
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in reports), 1),
        **{k: sum(r[k] for r in reports) for k in ("created", "updated", "unchanged", "withdrawn", "failed")},
        "load_avg": os.getloadavg()[0],
    }
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return figures


PYDATAJSON_READ = """
import json, sys, time, urllib.request
import pydatajson
from pydatajson import ckan_reader
ckan_reader.time.sleep = lambda seconds: None  # its politeness pause, 0.2 s per package
import resource
started = time.perf_counter()
datasets = 0
for url in sys.argv[1:]:
    if url.endswith("data.json"):
        # DataJson(url) itself fails on Python 3.11 (json.loads(encoding=)): download, then read.
        catalog = json.loads(urllib.request.urlopen(url).read())
        datasets += len(pydatajson.DataJson(catalog).get_datasets())
    else:
        datasets += len(ckan_reader.read_ckan_catalog(url)["dataset"])
print(json.dumps({"phase": "pydatajson read", "wall_s": round(time.perf_counter() - started, 2),
                  "datasets": datasets,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--sources", type=int, default=135)
    parser.add_argument("--datasets", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1, help="worker processes harvesting in parallel")
    parser.add_argument("--pg-database", default=None, help="PostgreSQL database (default bench_<name>)")
    parser.add_argument("--no-reference", action="store_true", help="skip pydatajson's reading of the catalogs")
    parser.add_argument(
        "--dry-run-only",
        action="store_true",
        help="only a dry run of every source (download, parse, hash, validate and plan; no writes)",
    )
    args = parser.parse_args()
    global SERVED  # noqa: PLW0603 (the server process inherits it when forked)
    name = f"harvest_{args.sources}x{args.datasets}"
    SERVED = OUT / f"harvest-sources-{args.db}-{args.sources}x{args.datasets}"
    db_file = OUT / f"{name}.sqlite3"
    if args.db == "sqlite" and db_file.exists():
        db_file.unlink()
    shutil.rmtree(SERVED, ignore_errors=True)
    # The sources are served on 127.0.0.1, which the harvester refuses by default (SSRF guard).
    os.environ.setdefault("HARVEST_ALLOW_PRIVATE_HOSTS", "true")
    if args.db == "postgres" and args.pg_database:
        # django_for names the database bench_<name>; a given name goes through the same variable.
        os.environ["BENCH_PG_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_database}"
    _django(args.db, name)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.db == "postgres":
        call_command("flush", interactive=False, verbosity=0)
    write_sources(args.sources, args.datasets)
    queue = multiprocessing.get_context("fork").Queue()
    server = multiprocessing.get_context("fork").Process(target=_serve, args=(queue,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{queue.get(timeout=10)}"
    try:
        sources = _sources(base, args.sources)
        args.server_pid = server.pid
        if args.dry_run_only:
            label = "dry run: download, parse, hash, validate, plan"
            results = [_harvest_all(sources, label, dry_run=True, workers=args.workers, server_pid=server.pid)]
        else:
            results = _full(sources, args)
        if not args.no_reference:
            results.append(_reference([s.url for s in sources]))
    finally:
        server.terminate()
    suffix = f"{'-dry' if args.dry_run_only else ''}{f'-w{args.workers}' if args.workers > 1 else ''}"
    name = f"harvest-{args.db}-{args.sources}x{args.datasets}{suffix}.json"
    (OUT / name).write_text(json.dumps(results, indent=2, ensure_ascii=False))


def _reference(urls: list[str]) -> dict:
    """pydatajson's own readers over the same catalogs, in its own environment."""
    started = time.perf_counter()
    read = subprocess.run([PYDATAJSON, "-c", PYDATAJSON_READ, *urls], capture_output=True, text=True, check=False)
    print(read.stdout.strip() or read.stderr[-2000:], flush=True)
    if not read.stdout.strip():
        return {"phase": "pydatajson read", "error": read.stderr[-2000:]}
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        **json.loads(read.stdout),
        "total_wall_s": round(time.perf_counter() - started, 2),
        "children_cpu_s_so_far": round(child.ru_utime + child.ru_stime, 2),
        "load_avg": os.getloadavg()[0],
    }


def _django(db: str, name: str) -> None:
    if os.environ.get("BENCH_PG_URL"):
        OUT.mkdir(parents=True, exist_ok=True)
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ["VAR_DIR"] = str(OUT / f"var-{name}-{db}")
        os.environ["DATABASE_URL"] = os.environ["BENCH_PG_URL"]
        import django

        django.setup()
        return
    django_for(db, name)


def _full(sources, args) -> list[dict]:
    def phase(label: str) -> dict:
        return _harvest_all(sources, label, workers=args.workers, server_pid=args.server_pid)

    results = [phase("first harvest")]
    results.append(phase("re-harvest, nothing changed"))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    write_sources(args.sources, args.datasets, changed_every=100, now=now)
    results.append(phase("re-harvest, 1% changed"))
    return results


def _sources(base: str, count: int) -> list:
    from abiertos.core.actors import Actor
    from abiertos.core.models import Municipality, Province
    from abiertos.harvest.services import SourceInput, harvest_source_create

    province, _created = Province.objects.get_or_create(code="06", defaults={"name": "Buenos Aires"})
    sources = []
    for i in range(count):
        municipality, _created = Municipality.objects.get_or_create(
            code=f"9{i:04d}", defaults={"province": province, "name": f"Municipio {i}", "slug": f"municipio-{i}"}
        )
        kind, url = ("datajson", f"{base}/s{i}/data.json") if i % 2 == 0 else ("ckan", f"{base}/s{i}")
        data = SourceInput(title=f"Fuente {i}", kind=kind, url=url)
        sources.append(harvest_source_create(municipality=municipality, data=data, by=Actor.system("bench")))
    return sources


if __name__ == "__main__":
    main()
