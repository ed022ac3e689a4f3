"""Local HTTP servers (threads on 127.0.0.1) that serve catalogs, or misbehave on purpose."""

from __future__ import annotations

import contextlib
import gzip
import json
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"

# A route answers (status, headers, body) or writes the response itself and returns None.
Route = Callable[[BaseHTTPRequestHandler, dict], tuple[int, dict, bytes] | None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        server: LocalServer = self.server.owner
        server.requests.append((parts.path, query))
        server.headers.append(dict(self.headers))
        route = server.routes.get(parts.path)
        answer = (404, {"Content-Type": "text/plain"}, b"not found") if route is None else route(self, query)
        if answer is None:
            return
        status, headers, body = answer
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class LocalServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []
        self.headers: list[dict] = []
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.httpd.server_address[0]}:{self.port}"

    def serve_tls(self, certfile: str, keyfile: str) -> None:
        """Speak HTTPS from now on, with this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def json(self, path: str, value, status: int = 200) -> None:
        body = json.dumps(value).encode()
        self.routes[path] = lambda handler, query: (status, {"Content-Type": "application/json"}, body)

    def raw(self, path: str, body: bytes, content_type: str = "application/json", status: int = 200) -> None:
        self.routes[path] = lambda handler, query: (status, {"Content-Type": content_type}, body)


def ckan_search_route(packages: list[dict]) -> Route:
    """package_search over a list of packages: sort by id, rows/start paging, metadata_modified fq."""

    def route(handler, query):
        found = sorted(packages, key=lambda p: p["id"])
        fq = query.get("fq", "")
        if fq.startswith("metadata_modified:["):
            since = fq[len("metadata_modified:[") :].split(" TO ")[0].rstrip("Z")
            found = [p for p in found if p.get("metadata_modified", "") >= since]
        start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
        body = {"success": True, "result": {"count": len(found), "results": found[start : start + rows]}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    return route


def ckan_list_route(packages: list[dict]) -> Route:
    def route(handler, query):
        body = {"success": True, "result": sorted(p["name"] for p in packages)}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    return route


def slow_route(seconds: float) -> Route:
    def route(handler, query):
        time.sleep(seconds)
        return 200, {"Content-Type": "application/json"}, b'{"dataset": []}'

    return route


def truncated_route(handler, query):
    body = b'{"dataset": [{"identifier": "a", "title": "corta'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body) + 500))
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()
    handler.close_connection = True
    return None


def huge_route(size: int) -> Route:
    def route(handler, query):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b" " * 65536
        sent = 0
        try:
            while sent < size:
                handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True
        return None

    return route


def redirect_loop_route(target: str) -> Route:
    return lambda handler, query: (302, {"Location": target}, b"")


def flaky_route(failures: int, then: Route) -> Route:
    state = {"left": failures}

    def route(handler, query):
        if state["left"] > 0:
            state["left"] -= 1
            return 500, {"Content-Type": "text/html"}, b"<h1>Internal Server Error</h1>"
        return then(handler, query)

    return route


def gzip_bomb_route(inflated_size: int) -> Route:
    """A small gzip body (about 1/1000 of its size) that inflates to ``inflated_size`` bytes of spaces."""
    body = gzip.compress(b" " * inflated_size, compresslevel=9)

    def route(handler, query):
        return 200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, body

    return route


def trickle_route(interval: float, forever_after: float = 30) -> Route:
    """Status line and headers one byte every ``interval`` seconds: no single read ever times out."""

    def route(handler, query):
        started = time.monotonic()
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while time.monotonic() - started < forever_after:
                handler.wfile.write(b"X")
                handler.wfile.flush()
                time.sleep(interval)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True
        return None

    return route


def lying_length_route(declared: int, body: bytes, hold: float = 0) -> Route:
    """Declare one Content-Length, send another body, then keep the connection open ``hold`` seconds."""

    def route(handler, query):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(declared))
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(body)
            handler.wfile.flush()
            time.sleep(hold)
        handler.close_connection = True
        return None

    return route


def endless_headers_route(handler, query):
    """A status line, then one header that never ends (200 kB and counting)."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Relleno: " + b"a" * 200_000)
        handler.wfile.flush()
    handler.close_connection = True
    return None


def trickle_body_route(interval: float, forever_after: float = 30) -> Route:
    """Proper headers, then the body one byte every ``interval`` seconds."""

    def route(handler, query):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        started = time.monotonic()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            while time.monotonic() - started < forever_after:
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(interval)
        handler.close_connection = True
        return None

    return route
