"""Serve a built site on loopback, gzipped as GitHub Pages serves it, for measurements.

Used by ``benchmarks/bench_site.py`` (page weight, charts-drawn time, Lighthouse) and by the
PDF builder; binds 127.0.0.1 on a free port and answers only from the given folder.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".json", ".txt", ".map", ".xml")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium phones home at start-up; on a closed network that is noise,
    # and on an open one it is a request the site did not make.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


def chromium_path() -> str:
    """Debian's Chromium binary (``CRMC_CHROMIUM`` overrides); missing is an error, never a skip."""
    candidate = os.environ.get("CRMC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(candidate).is_file():
        raise RuntimeError(
            "Chromium not found: install Debian's 'chromium' package or set CRMC_CHROMIUM. "
            "(Never 'playwright install': it downloads a browser.)"
        )
    return candidate


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    gzip_enabled = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.gzip_enabled and accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve_gzipped(directory: Path, gzip_enabled: bool = True) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port), gzipped; yield the base URL."""
    handler_class = type("Handler", (_GzipHandler,), {"gzip_enabled": gzip_enabled})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
