"""Checks on the book's build: failures stop it, the site is self-contained,
and every chapter notebook agrees with its executed twin in notebooks/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jupytext
import pytest
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


# --- (a) a cell error fails the build -------------------------------------

TINY_CHAPTER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# Tiny chapter

```{{code-cell}} ipython3
{code}
```
"""


def _tiny_book(folder: Path, code: str) -> Path:
    """A one-chapter book with this repository's _config.yml (same execution settings)."""
    folder.mkdir()
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    shutil.copy(ROOT / "references.bib", folder / "references.bib")
    for assets in ("_ext", "_static"):
        shutil.copytree(ROOT / assets, folder / assets, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: tiny\n")
    (folder / "index.md").write_text("# Tiny book\n")
    (folder / "tiny.md").write_text(TINY_CHAPTER.format(code=code))
    return folder


@pytest.fixture(scope="module")
def tiny_builds(tmp_path_factory):
    """Build a book whose cell raises and the same book without the error, side by side."""
    tmp = tmp_path_factory.mktemp("tiny-books")
    books = {
        "broken": _tiny_book(tmp / "broken", 'raise RuntimeError("planted cell error")'),
        "working": _tiny_book(tmp / "working", 'print(f"{1 / 3:.6f}")'),
    }
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    command = [str(JUPYTER_BOOK), "build", ".", "--builder", "html", "-W", "-n", "--keep-going"]
    running = {
        name: subprocess.Popen(command, cwd=book, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for name, book in books.items()
    }
    results = {}
    for name, process in running.items():
        output, _ = process.communicate(timeout=300)
        results[name] = (process.returncode, output, books[name])
    return results


def test_planted_cell_error_fails_the_build(tiny_builds):
    returncode, output, _ = tiny_builds["broken"]
    assert returncode != 0, output
    assert "planted cell error" in output, output


def test_same_book_without_the_error_builds(tiny_builds):
    returncode, output, book = tiny_builds["working"]
    assert returncode == 0, output
    page = (book / "_build" / "html" / "tiny.html").read_text(encoding="utf-8")
    assert "0.333333" in page


# --- (b) the site loads nothing from outside ------------------------------

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


def test_outside_resource_check_sees_scripts_styles_and_fonts():
    planted = """
        <script src="https://cdn.example.org/mathjax.js"></script>
        <link rel="stylesheet" href="//fonts.example.org/css?family=Lato">
        <style>@import "http://example.org/a.css"; p { font-family: x; }</style>
        <div style="background: url('https://example.org/b.png')"></div>
        <script src="_static/local.js"></script><a href="https://example.org/">a link</a>
    """
    css = "@font-face { src: url(https://fonts.example.org/lato.woff2) } .x { background: url(img/y.png) }"
    assert len(_external(_loaded_urls(planted))) == 4
    assert _external(u for pair in CSS_URL.findall(css) for u in pair if u) == ["https://fonts.example.org/lato.woff2"]


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
    page = (built_site / "chapters" / "momentum_rmsprop_adam.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page)
    assert [urlsplit(s).path for s in scripts] == ["../_static/mathjax/tex-chtml.js"], scripts
    assert (built_site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_chapter_offers_its_notebook_for_download(built_site):
    page = (built_site / "chapters" / "momentum_rmsprop_adam.html").read_text(encoding="utf-8")
    assert 'href="../_sources/chapters/momentum_rmsprop_adam.ipynb"' in page
    assert (built_site / "_sources" / "chapters" / "momentum_rmsprop_adam.ipynb").is_file()


def test_pages_in_a_browser_fetch_only_the_site_and_log_no_error(browser, site_url, built_site):
    """Each page, opened in Chromium: no request leaves the site, none fails, the
    console stays free of errors, and MathJax typesets where the page has math."""
    problems = []

    def watch(page, name):
        def on_console(message):
            if message.type == "error":
                problems.append(f"{name}: console error: {message.text}")

        def on_request(request):
            if request.url.startswith(("http:", "https:")) and not request.url.startswith(site_url):
                problems.append(f"{name}: external request {request.url}")

        def on_response(response):
            if response.status >= 400:
                problems.append(f"{name}: HTTP {response.status} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"{name}: page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"{name}: failed {request.url}"))
        page.on("request", on_request)
        page.on("response", on_response)

    documents = [p for p in sorted(built_site.rglob("*.html"))
                 if not p.relative_to(built_site).parts[0].startswith("_")]  # not _static/ etc.
    for path in documents:
        name = path.relative_to(built_site).as_posix()
        page = browser.new_page()
        watch(page, name)
        page.goto(urljoin(site_url, name), wait_until="networkidle")
        html = path.read_text(encoding="utf-8")
        if "_static/mathjax/tex-chtml.js" in html:
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("MathJax.startup.promise")
            page.wait_for_load_state("networkidle")  # the fonts the formulas need
            if 'class="math' in html and not page.locator("mjx-container").count():
                problems.append(f"{name}: MathJax typeset nothing")
        page.close()
    assert not problems, "\n".join(problems)


# --- (c) each chapter notebook and its twin agree -------------------------

def _chapter_notebooks():
    return sorted(p for p in (ROOT / "chapters").glob("*.md")
                  if "kernelspec" in jupytext.read(p).metadata)


def _cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_every_chapter_notebook_has_a_twin_and_no_twin_is_orphaned():
    chapters = {p.stem for p in _chapter_notebooks()}
    twins = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert chapters, "no chapter notebook found in chapters/"
    assert chapters <= twins, f"missing notebooks/*.ipynb for {sorted(chapters - twins)}: run `make notebooks`"
    assert twins <= chapters, f"notebooks without a chapter: {sorted(twins - chapters)}"


@pytest.mark.parametrize("chapter", _chapter_notebooks(), ids=lambda p: p.stem)
def test_pairs_agree(chapter):
    twin = ROOT / "notebooks" / f"{chapter.stem}.ipynb"
    assert twin.is_file(), f"{twin.relative_to(ROOT)} is missing: run `make notebooks`"
    source, reference = jupytext.read(chapter), jupytext.read(twin)
    assert _cells(reference) == _cells(source), (
        f"{twin.relative_to(ROOT)} differs from {chapter.relative_to(ROOT)}: run `make notebooks`")
    for ours, theirs in zip(source.cells, reference.cells):
        if ours.cell_type == "code":
            assert theirs.metadata.get("tags", []) == ours.metadata.get("tags", [])
            assert theirs.execution_count is not None, (
                f"{twin.relative_to(ROOT)} holds unexecuted cells: run `make notebooks`")


# --- references ---------------------------------------------------------

CITED_WORKS = {
    "cauchy1847", "robbins1951", "polyak1964", "nesterov1983", "duchi2011", "tieleman2012",
    "kingma2015", "reddi2018", "loshchilov2019", "sutskever2013", "goh2017", "lessard2016",
    "xie2024", "glorot2010", "liu2020", "goyal2017", "vaswani2017",
}


def test_bibliography_parses_and_holds_every_work():
    entries = parse_file(ROOT / "references.bib").entries
    assert CITED_WORKS <= set(entries), sorted(CITED_WORKS - set(entries))
    for key, entry in entries.items():
        assert entry.fields.get("title") and entry.fields.get("year"), key
        assert entry.persons.get("author"), key


def test_pages_that_embed_the_applet_depend_on_all_its_files(built_site):
    """An edit of race.js alone rebuilds the pages that embed the applet, so the site gets the new script.

    Sphinx copies static files only on a build that writes a page; without
    these dependencies such an edit left the old script in the site.
    """
    import pickle

    env = pickle.loads((ROOT / "_build" / ".doctrees" / "environment.pickle").read_bytes())
    applet_files = {f"_static/race/{p.name}" for p in (ROOT / "_static" / "race").iterdir() if p.is_file()}
    for page in ("chapters/race", "chapters/momentum_rmsprop_adam"):
        depends_on = {str(Path(ROOT, d).resolve().relative_to(ROOT)) for d in env.dependencies[page]}
        assert applet_files <= depends_on, f"{page} misses {sorted(applet_files - depends_on)}"
