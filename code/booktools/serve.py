"""A quiet local HTTP server and Debian's Chromium, for the browser tests and the benchmark.

Playwright drives ``/usr/bin/chromium`` (``apt-get install chromium``);
Playwright's own browser download is never used.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import os
import threading
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Switches that keep a headless Chromium from phoning home or waiting for a GPU."""

COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".json", ".txt", ".map", ".woff")


def documents(site: Path) -> list[str]:
    """Site-relative paths of the HTML pages of a built site (``_static``, ``_sources`` and the like hold none)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith("_"))


def find_chromium() -> Path | None:
    """Debian's Chromium if it is installed, else ``None``."""
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Python's static file handler without a log line per request.

    With ``gzip_level`` set it compresses text files for clients that accept
    gzip, as a web host would (Python's own server never does).
    """

    gzip_level: int | None = None

    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if self.gzip_level is None or not accepts or not path.is_file() or path.suffix not in COMPRESSIBLE:
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), self.gzip_level)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve(directory: Path, gzip_level: int | None = None):
    """Serve ``directory`` on a free port of 127.0.0.1; yields the base URL, ending in ``/``."""
    handler_class = type("Handler", (QuietHandler,), {"gzip_level": gzip_level})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium(executable: Path = CHROMIUM):
    """A headless Chromium launched by Playwright; yields the browser and closes it afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()
