"""What ``booktools.sphinx_ext.page_weight`` took out of the built site: the theme's 1.5 MB Font Awesome
script (``tests/browser/test_pages.py`` checks that the web font still draws the icons), and every
figure's colours beyond a palette of 256. Bytes themselves are measured by ``make bench``."""

from __future__ import annotations

import re

from PIL import Image

from booktools.sphinx_ext.page_weight import FONTAWESOME_SCRIPT

PAGES = ["chapters/momentum_rmsprop_adam.html", "chapters/momentum_in_depth.html", "chapters/adam_in_depth.html",
         "chapters/exercises.html", "chapters/race.html", "index.html"]


def test_built_site_has_no_fontawesome_script_and_palette_figures(built_site):
    assert not (built_site / FONTAWESOME_SCRIPT).exists()
    for page in built_site.rglob("*.html"):
        if "_static" in page.relative_to(built_site).parts:  # the theme's template sources, copied as they are
            continue
        assert "fontawesome.js" not in page.read_text(encoding="utf-8"), page
    figures = {image for name in PAGES for image in _figure_sources(built_site / name)}
    assert len(figures) >= 17  # the chapter's, its companion pages' and the exercises' figures
    for image in figures:
        with Image.open(built_site / image) as png:
            assert png.mode == "P", image


def _figure_sources(page):
    return {src.removeprefix("../") for src in re.findall(r'<img[^>]+src="([^"]+\.png)"', page.read_text("utf-8"))}
