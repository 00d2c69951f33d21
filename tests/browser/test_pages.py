"""The built book, page by page, in a real browser (Playwright driving Debian's Chromium).

Every HTML document of ``_build/html`` (whatever pages exist when the test
runs; ``_static`` and ``_sources`` hold no documents) is served on 127.0.0.1
and checked for what a reader would notice:

* the console logs no error and no script throws;
* no request leaves the site (the book must work offline);
* MathJax has finished, rendered no ``mjx-merror``, and left no raw ``$$``,
  ``\\(`` or ``\\[`` in the visible text (code excluded);
* no request fails or answers with an HTTP error;
* every image has alt text that says something (not empty, not its file name);
* the header's icons are drawn by the Font Awesome web font;
* axe-core (``tests/vendor/axe.min.js``, 4.14.1 from its npm package, MPL-2.0)
  reports no serious or critical accessibility violation.

A page with one planted fault of each kind shows that every check still
catches its own. This is the one test that watches every page's console and
requests; the applet's own tests (``test_race.py``) do not repeat it. The
sweep is part of ``make test-system`` (a minute of Chromium: axe-core alone
takes seconds on a page of 20,000 elements). Links, anchors and
error output are checked without a browser in ``tests/book/test_pages_static.py``.
The browser and the server come from ``conftest.py``: the test skips when
Chromium or Playwright is missing, and fails instead when CI is set.
"""

from __future__ import annotations

import re
import time
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest

from booktools import ROOT, serve

pytestmark = pytest.mark.system  # every page of the site, one by one: make test-system

SITE = ROOT / "_build" / "html"
AXE = ROOT / "tests" / "vendor" / "axe.min.js"
SERIOUS = {"serious", "critical"}
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[")

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


HEADER_ICONS = """() => [...document.querySelectorAll('.bd-header-article i[class*="fa-"]')]
  .filter(i => i.offsetParent !== null)
  .map(i => ({cls: i.className, width: i.getBoundingClientRect().width,
              font: getComputedStyle(i, '::before').fontFamily,
              loaded: document.fonts.check('900 16px "Font Awesome 6 Free"')}))"""


def settle(page, in_flight: set, timeout: float = 30) -> None:
    """Wait until none of the page's requests is in flight (those :func:`watch` follows).

    Playwright's "networkidle" would wait the same, and then 500 ms more: 8 s of a run over every page.
    """
    deadline = time.monotonic() + timeout
    while in_flight:
        if time.monotonic() > deadline:
            raise TimeoutError(f"requests still in flight after {timeout} s: {sorted(r.url for r in in_flight)}")
        page.wait_for_timeout(20)


def problems_on(page, has_math: bool, in_flight: set) -> list[str]:
    """What the reader would notice on a loaded page: math, alt text, header icons, serious axe findings."""
    problems = []
    page.evaluate(MATHJAX_DONE)
    page.evaluate("document.fonts.ready")  # the fonts the formulas and the header's icons need
    settle(page, in_flight)
    if count := page.locator("mjx-merror").count():
        problems.append(f"{count} MathJax error(s)")
    if has_math and not page.locator("mjx-container").count():
        problems.append("MathJax typeset nothing")
    problems += [f"raw TeX in the text: ...{match.string[max(match.start() - 30, 0):match.end() + 30]!r}..."
                 for match in RAW_TEX.finditer(page.evaluate(VISIBLE_TEXT))]
    problems += [f"image without real alt text: {bad}" for bad in bad_alt_text(page.evaluate(IMAGES))]
    # The theme's Font Awesome script is dropped (booktools.sphinx_ext.page_weight): its web font draws the icons.
    icons = page.evaluate(HEADER_ICONS)
    if len(icons) < 2:  # full screen and colour mode on every page; a chapter adds its download
        problems.append(f"header icons missing: {icons}")
    problems += [f"header icon not drawn by the web font: {icon}" for icon in icons
                 if not ("Font Awesome" in icon["font"] and icon["width"] > 8 and icon["loaded"])]
    page.add_script_tag(path=str(AXE))
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in report["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} "
                            f"({len(violation['nodes'])} nodes, e.g. {targets})")
    return problems


def watch(page, site_url: str, problems: list) -> set:
    """Note on ``problems`` every console error, script error, failed request and request that leaves the site.

    Returns the set of the page's requests in flight, kept current (for :func:`settle`).
    """
    in_flight = set()

    def started(request):
        in_flight.add(request)
        if not request.url.startswith((site_url, "data:", "blob:", "about:")):
            problems.append(f"request leaves the site: {request.url}")

    def failed(request):
        in_flight.discard(request)
        problems.append(f"failed request: {request.url}")

    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("request", started)
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", failed)
    page.on("response", lambda response: response.status < 400
            or problems.append(f"HTTP {response.status}: {response.url}"))
    return in_flight


@pytest.fixture(scope="module")
def reader(browser):
    """One browser context for every page, as one reader's: the site's scripts, styles and fonts are fetched once."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.mark.parametrize("name", serve.documents(SITE) or ["index.html"])
def test_page_in_the_browser(reader, site_url, built_site, name):
    """Every check above, once per page: the only place that watches the console and the requests."""
    problems = []
    page = reader.new_page()
    in_flight = watch(page, site_url, problems)
    try:
        page.goto(urljoin(site_url, name), wait_until="load")
        has_math = 'class="math' in (built_site / name).read_text(encoding="utf-8")
        problems += problems_on(page, has_math, in_flight)
    finally:
        page.close()
    assert problems == [], f"{name}:\n" + "\n".join(problems)


PLANTED_FAULTS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Planted faults</title></head>
<body><main><h1>Planted faults</h1>
<p>A formula left as source: $$x^2$$</p>
<img src="plot.png">
<img src="https://example.invalid/outside.png" alt="A picture from elsewhere">
<script>console.error("planted console error"); fetch("missing.json");</script>
</main></body></html>
"""


def test_the_checks_catch_planted_faults(reader, tmp_path):
    """A page with one fault of each kind: every check above must name its own."""
    (tmp_path / "faults.html").write_text(PLANTED_FAULTS, encoding="utf-8")
    problems = []
    page = reader.new_page()
    with serve.serve(tmp_path) as url:
        in_flight = watch(page, url, problems)
        try:
            page.goto(url + "faults.html", wait_until="load")
            problems += problems_on(page, True, in_flight)
        finally:
            page.close()
    expected = ["console: planted console error", f"HTTP 404: {url}missing.json", f"HTTP 404: {url}plot.png",
                "request leaves the site: https://example.invalid/", "failed request: https://example.invalid/",
                "MathJax typeset nothing", "raw TeX in the text", "image without real alt text: plot.png",
                "header icons missing", "axe critical image-alt"]
    missed = [fault for fault in expected if not any(problem.startswith(fault) for problem in problems)]
    assert not missed, f"missed {missed} among {problems}"
