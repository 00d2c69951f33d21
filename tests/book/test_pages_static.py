"""The built pages, read as HTML files (no browser): links resolve, no cell shows an error."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from booktools import ROOT
from booktools.sphinx_ext.pdf_links import built_pdf
from booktools.student_edition import BOOK_PDF_NAME, STUDENT_PDF_NAME
from booktools.serve import documents

SITE = ROOT / "_build" / "html"
OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
ERROR_OUTPUT_CLASSES = {"stderr", "traceback", "highlight-ipythontb"}


class _PageParser(HTMLParser):
    """Ids, link targets, image sources and error-output blocks of one page."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.error_blocks: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.links.append(attrs["src"])
        classes = set((attrs.get("class") or "").split())
        if classes & ERROR_OUTPUT_CLASSES:
            self.error_blocks.append(f"<{tag} class=\"{attrs['class']}\">")


TYPESET_PDFS = (BOOK_PDF_NAME, STUDENT_PDF_NAME)
"""The PDFs every page links; they are in the site once the PDF targets have made them."""

_PARSED: dict[Path, _PageParser] = {}


def parse(path: Path) -> _PageParser:
    if path not in _PARSED:
        parser = _PageParser()
        parser.feed(path.read_text(encoding="utf-8"))
        _PARSED[path] = parser
    return _PARSED[path]


def broken_links(site: Path, name: str) -> list[str]:
    """Internal links of page ``name`` whose file or anchor does not exist."""
    broken = []
    for href in parse(site / name).links:
        if OUTSIDE.match(href):  # http:, mailto:, data:, ... (leaving the site is checked in the browser)
            continue
        parts = urlsplit(urljoin(f"http://site/{name}", href))
        target = PurePosixPath(unquote(parts.path).lstrip("/"))
        if target.name in TYPESET_PDFS and not built_pdf(target.name).is_file():
            continue  # not made yet: `make pdf` and `make pdf-student` add them (tests/book/test_typeset_links.py)
        path = site / target
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            broken.append(f"{href}: no file {target}")
        elif parts.fragment and path.suffix == ".html" and unquote(parts.fragment) not in parse(path).ids:
            broken.append(f"{href}: no id {parts.fragment!r} in {target}")
    return broken


@pytest.mark.parametrize("name", documents(SITE) or ["index.html"])
def test_internal_links_and_anchors_resolve(built_site, name):
    assert broken_links(built_site, name) == []


@pytest.mark.parametrize("name", documents(SITE) or ["index.html"])
def test_no_cell_shows_a_traceback_or_stderr(built_site, name):
    html = (built_site / name).read_text(encoding="utf-8")
    assert parse(built_site / name).error_blocks == []
    assert "Traceback (most recent call last)" not in html
