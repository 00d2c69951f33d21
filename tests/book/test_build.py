"""Checks on the book's build: the site is self-contained, the configuration
keeps up with Jupyter Book, and the applet's pages depend on its files.

(That a cell error fails the build is ``test_cell_error.py``, in ``make test-system``; each chapter
notebook's agreement with its twin needs no build: ``tests/unit/test_sources.py``.)"""

from __future__ import annotations

import json
import pickle
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from jupyter_book.config import get_default_sphinx_config

from booktools import ROOT


# --- the site loads nothing from outside ----------------------------------

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
RESOURCE_ATTRIBUTES = {
    "script": ("src",), "link": ("href",), "img": ("src", "srcset"), "iframe": ("src",),
    "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",),
    "embed": ("src",), "object": ("data",), "track": ("src",),
}


class _ResourceCollector(HTMLParser):
    """Every URL a page loads by itself: scripts, styles, fonts, images, frames."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in RESOURCE_ATTRIBUTES.get(tag, ()):
            value = attrs.get(name) or ""
            self.urls += [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
        self.urls += [u for pair in CSS_URL.findall(attrs.get("style") or "") for u in pair if u]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += [u for pair in CSS_URL.findall(data) for u in pair if u]


def _external(urls):
    return sorted({u for u in urls if EXTERNAL.match(u.strip())})


def _loaded_urls(html):
    collector = _ResourceCollector()
    collector.feed(html)
    return collector.urls


def test_pages_load_nothing_from_outside_the_site(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert pages, "no HTML pages were built"
    offenders = {}
    for page in pages:
        if found := _external(_loaded_urls(page.read_text(encoding="utf-8"))):
            offenders[str(page.relative_to(built_site))] = found
    assert not offenders, offenders


def test_stylesheets_load_nothing_from_outside_the_site(built_site):
    sheets = sorted(built_site.rglob("*.css"))
    assert sheets, "no stylesheets were built"
    offenders = {}
    for sheet in sheets:
        urls = [u for pair in CSS_URL.findall(sheet.read_text(encoding="utf-8", errors="replace")) for u in pair if u]
        if found := _external(urls):
            offenders[str(sheet.relative_to(built_site))] = found
    assert not offenders, offenders


def test_thebe_is_not_loaded(built_site):
    """sphinx-thebe is left out of the extensions (its snippet declared a const twice)."""
    for page in built_site.rglob("*.html"):
        assert "THEBE_JS_URL" not in page.read_text(encoding="utf-8"), page


def test_mathjax_is_the_vendored_copy(built_site):
    """The page loads MathJax's loader from the site, and every component it names is there too."""
    page = (built_site / "chapters" / "momentum_rmsprop_adam.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page)
    assert [urlsplit(s).path for s in scripts] == ["../_static/mathjax/startup.js"], scripts
    mathjax = built_site / "_static" / "mathjax"
    components = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["mathjax3_config"]["loader"]["load"]
    assert "a11y/assistive-mml" in components
    for component in components + ["core", "output/chtml/fonts/tex"]:
        assert (mathjax / f"{component.removeprefix('[mathjax]/')}.js").is_file(), component
    assert (mathjax / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_chapter_offers_its_notebook_for_download(built_site):
    page = (built_site / "chapters" / "momentum_rmsprop_adam.html").read_text(encoding="utf-8")
    assert 'href="../_sources/chapters/momentum_rmsprop_adam.ipynb"' in page
    assert (built_site / "_sources" / "chapters" / "momentum_rmsprop_adam.ipynb").is_file()


def test_every_downloadable_notebook_holds_its_outputs(built_site):
    """The ``.ipynb`` of a page's download menu is the executed notebook, also when the build took it from the cache."""
    notebooks = sorted((built_site / "_sources" / "chapters").glob("*.ipynb"))
    assert len(notebooks) >= 5
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert any(cell.get("outputs") for cell in cells if cell["cell_type"] == "code"), path.name


def test_pages_that_embed_the_applet_depend_on_all_its_files(built_site):
    """An edit of race.js alone rebuilds the pages that embed the applet, so the site gets the new script.

    Sphinx copies static files only on a build that writes a page; without
    these dependencies such an edit left the old script in the site.
    """
    env = pickle.loads((ROOT / "_build" / ".doctrees" / "environment.pickle").read_bytes())
    applet_files = {f"_static/race/{p.name}" for p in (ROOT / "_static" / "race").iterdir() if p.is_file()}
    for page in ("chapters/race", "chapters/momentum_rmsprop_adam"):
        depends_on = {str(Path(ROOT, d).resolve().relative_to(ROOT)) for d in env.dependencies[page]}
        assert applet_files <= depends_on, f"{page} misses {sorted(applet_files - depends_on)}"


def test_extension_list_is_jupyter_books_minus_thebe_plus_ours():
    """_config.yml restates Jupyter Book's extensions (it cannot remove one otherwise): an upgrade that
    changes Jupyter Book's list makes this fail, so the restated list never drifts from it unnoticed."""
    ours = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["extensions"]
    stock = get_default_sphinx_config()["extensions"]
    assert [name for name in ours if name in stock] == [name for name in stock if name != "sphinx_thebe"]
    assert "sphinx_thebe" in stock, "Jupyter Book no longer loads sphinx_thebe: drop the restated list"
