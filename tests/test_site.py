"""The built book, page by page, in a real browser (Playwright driving Debian's Chromium).

Every HTML document of ``_build/html`` (whatever pages exist when the test
runs; ``_static`` and ``_sources`` hold no documents) is served on 127.0.0.1
and checked for what a reader would notice:

* the console logs no error and no script throws;
* no request leaves the site (the book must work offline);
* MathJax has finished, rendered no ``mjx-merror``, and left no raw ``$$``,
  ``\\(`` or ``\\[`` in the visible text (code excluded);
* no executed cell shows a traceback or an stderr block;
* every image has alt text that says something (not empty, not its file name);
* every internal link and image points to a file of the site, and every
  ``#anchor`` to an id on the target page;
* axe-core (``tests/vendor/axe.min.js``, 4.14.1 from its npm package, MPL-2.0)
  reports no serious or critical accessibility violation.

The browser and the server come from ``conftest.py``: the test skips when
Chromium or Playwright is missing, and fails instead when CI is set.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import SITE

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SERIOUS = {"serious", "critical"}
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[")
OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
ERROR_OUTPUT_CLASSES = {"stderr", "traceback", "highlight-ipythontb"}


def documents() -> list[str]:
    """Site-relative paths of the built pages; ``index.html`` alone when nothing is built yet
    (the ``built_site`` fixture then fails with the reason)."""
    pages = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                   if not p.relative_to(SITE).parts[0].startswith("_"))
    return pages or ["index.html"]


# --- static checks on the HTML files -------------------------------------

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
        path = site / target
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            broken.append(f"{href}: no file {target}")
        elif parts.fragment and path.suffix == ".html" and unquote(parts.fragment) not in parse(path).ids:
            broken.append(f"{href}: no id {parts.fragment!r} in {target}")
    return broken


@pytest.mark.parametrize("name", documents())
def test_internal_links_and_anchors_resolve(built_site, name):
    assert broken_links(built_site, name) == []


@pytest.mark.parametrize("name", documents())
def test_no_cell_shows_a_traceback_or_stderr(built_site, name):
    html = (built_site / name).read_text(encoding="utf-8")
    assert parse(built_site / name).error_blocks == []
    assert "Traceback (most recent call last)" not in html


def test_link_check_sees_a_missing_anchor_and_file(tmp_path):
    (tmp_path / "a.html").write_text('<a id="here" href="#here">1</a><a href="b.html#gone">2</a>'
                                     '<a href="c.html">3</a><img src="x.png" alt="x">')
    (tmp_path / "b.html").write_text('<h1 id="there">b</h1>')
    assert broken_links(tmp_path, "a.html") == [
        "b.html#gone: no id 'gone' in b.html", "c.html: no file c.html", "x.png: no file x.png"]


# --- in the browser --------------------------------------------------------

# The text a reader sees, without code (where a "$$" may be meant) and without
# what MathJax produced.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, .visually-hidden')
      .forEach(element => element.remove());
  return body.textContent;
}"""

MATHJAX_DONE = """async () => {
  if (!document.querySelector('script[src*="mathjax"]')) return 'no MathJax on this page';
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  await MathJax.startup.promise;
  return 'typeset';
}"""

IMAGES = "() => Array.from(document.images, image => ({src: image.getAttribute('src') || '', alt: image.alt}))"


def bad_alt_text(images) -> list[str]:
    """Images whose alt text is empty or merely repeats the file name."""
    bad = []
    for image in images:
        alt = image["alt"].strip()
        file = PurePosixPath(urlsplit(image["src"]).path)
        if not alt or alt.lower() in {file.name.lower(), file.stem.lower()}:
            bad.append(f"{image['src']}: alt={image['alt']!r}")
    return bad


def test_alt_text_check_refuses_empty_and_file_names():
    images = [{"src": "_images/fig.png", "alt": ""}, {"src": "_images/fig.png", "alt": "fig.png"},
              {"src": "_images/fig.png", "alt": "fig"}, {"src": "a.png", "alt": "Loss curves of Adam"}]
    assert bad_alt_text(images) == ["_images/fig.png: alt=''", "_images/fig.png: alt='fig.png'",
                                    "_images/fig.png: alt='fig'"]


def problems_on(page) -> list[str]:
    """What the reader would notice on a loaded page: math, alt text, serious axe findings."""
    problems = []
    page.evaluate(MATHJAX_DONE)
    if count := page.locator("mjx-merror").count():
        problems.append(f"{count} MathJax error(s)")
    problems += [f"raw TeX in the text: ...{match.string[max(match.start() - 30, 0):match.end() + 30]!r}..."
                 for match in RAW_TEX.finditer(page.evaluate(VISIBLE_TEXT))]
    problems += [f"image without real alt text: {bad}" for bad in bad_alt_text(page.evaluate(IMAGES))]
    page.add_script_tag(path=str(AXE))
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in report["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} "
                            f"({len(violation['nodes'])} nodes, e.g. {targets})")
    return problems


@pytest.mark.parametrize("name", documents())
def test_page_in_the_browser(browser, site_url, built_site, name):
    problems = []
    page = browser.new_page()
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("request", lambda request: request.url.startswith((site_url, "data:", "blob:", "about:"))
            or problems.append(f"request leaves the site: {request.url}"))
    try:
        page.goto(urljoin(site_url, name), wait_until="networkidle")
        problems += problems_on(page)
    finally:
        page.close()
    assert problems == [], f"{name}:\n" + "\n".join(problems)


def test_browser_checks_see_raw_tex_bad_alt_text_and_the_bibliography_markup(browser):
    """Markup the checks must catch, docutils' citation list among it, is caught."""
    page = browser.new_page()
    try:
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
            '<p>Unrendered: $$x^2$$</p><img src="data:image/png;base64,iVBORw0KGgo=" alt="">'
            '<div role="list" class="citation-list"><div class="citation" role="doc-biblioentry">'
            '<p>Cauchy 1847.</p></div></div></main></body></html>')
        found = problems_on(page)
    finally:
        page.close()
    kinds = {problem.split(":")[0] for problem in found}
    assert kinds == {"raw TeX in the text", "image without real alt text", "axe critical aria-required-children"}
