"""Lighter pages: fewer bytes for the reader's browser, and no visible change.

Named in ``_config.yml``; ``make bench`` measures the result
(item 5 of the benchmark).

1. pydata-sphinx-theme loads ``_static/scripts/fontawesome.js`` (1.5 MB) on
   every page "so that users can add custom icons" (its template's comment):
   the script redraws ``<i class="fa-...">`` elements as inline SVG. The
   theme's stylesheet already draws every one of its icons from the Font
   Awesome web font, and this book adds no icon of its own, so the script
   tag is taken out of every written page and the script out of the site.
2. Figures: matplotlib writes 24-bit PNGs, but a plot has few colours. Each
   figure becomes a 256-colour palette PNG (Pillow's maximum-coverage
   quantizer, no dithering): on this book's figures no channel of any pixel
   moves by more than 12/255 and the files shrink by about two thirds. The
   conversion happens once, in place, where myst-nb wrote the output
   (``_build/jupyter_execute``): myst-nb names each file by the hash of what
   the notebook holds and never rewrites a file that exists, so later builds
   and Sphinx's copy into ``_images`` reuse the converted file.
"""
from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

FONTAWESOME_SCRIPT = "_static/scripts/fontawesome.js"


def palette_png(path: Path) -> bool:
    """Rewrite the RGB(A) PNG at ``path`` as a 256-colour palette PNG; False if it already is one.

    Only an opaque image is converted (a transparent one would lose its alpha).
    The file keeps its modification time: Sphinx counts a figure as a
    dependency of its page, and a newer figure would make the next build
    read the page again.
    """
    times = path.stat()
    with Image.open(path) as image:
        if image.mode not in ("RGB", "RGBA"):
            return False
        if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
            return False
        palette = image.convert("RGB").quantize(256, method=Image.Quantize.MAXCOVERAGE,
                                                dither=Image.Dither.NONE)
    palette.save(path, format="PNG")
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    return True


def _convert_figures(app, env) -> None:
    output = Path(app.outdir).parent / "jupyter_execute"
    for source in env.images:
        path = Path(app.srcdir, source)
        if path.suffix == ".png" and path.is_relative_to(output):
            palette_png(path)


def without_fontawesome(html: str) -> str:
    """``html`` without the ``<script>`` element that loads the theme's Font Awesome script."""
    start = html.find(f'{FONTAWESOME_SCRIPT}?')
    if start < 0:
        return html
    begin = html.rfind("<script", 0, start)
    end = html.find("</script>", start) + len("</script>")
    return html[:begin] + html[end:].removeprefix("\n")


def _drop_fontawesome(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        lighter = without_fontawesome(html)
        if lighter != html:
            page.write_text(lighter, encoding="utf-8")
    (outdir / FONTAWESOME_SCRIPT).unlink(missing_ok=True)


def setup(app):
    app.connect("env-updated", _convert_figures)
    app.connect("build-finished", _drop_fontawesome)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
