"""The book's Sphinx extensions on their own, without a build (``booktools.sphinx_ext``).

``page_weight`` turns each figure into a 256-colour palette PNG and drops the
theme's Font Awesome script element; ``build_speed`` lets pybtex find its
plain-text backend without scanning entry points.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from booktools.sphinx_ext.build_speed import _register_bibtex_backend
from booktools.sphinx_ext.page_weight import FONTAWESOME_SCRIPT, palette_png, without_fontawesome


def _plot_like_image(width=240, height=160) -> np.ndarray:
    """An opaque RGB image with a smooth grey fill, lines in a few colours, and anti-aliased edges."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.repeat((200 + 40 * np.hypot(x - width / 2, y - height / 2) / width)[..., None], 3, axis=2)
    for colour, offset in [((0, 114, 178), 20), ((230, 159, 0), 60), ((0, 158, 115), 100)]:
        distance = np.abs(y - offset - 0.3 * x)
        weight = np.clip(1.5 - distance, 0, 1)[..., None]  # a line 2-3 pixels wide, soft at its edges
        image = (1 - weight) * image + weight * np.array(colour)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def test_a_figure_becomes_a_palette_png_close_to_the_original(tmp_path):
    original = _plot_like_image()
    path = tmp_path / "figure.png"
    Image.fromarray(original).convert("RGBA").save(path)
    os.utime(path, ns=(1_000_000_000, 2_000_000_000))

    assert palette_png(path)
    assert path.stat().st_mtime_ns == 2_000_000_000, "a newer figure would make Sphinx read its page again"
    with Image.open(path) as converted:
        assert converted.mode == "P"
        pixels = np.asarray(converted.convert("RGB"), dtype=int)
    assert np.abs(pixels - original).max() <= 12
    assert not palette_png(path), "a palette PNG is left as it is"


def test_a_transparent_png_is_left_alone(tmp_path):
    rgb = _plot_like_image()
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 128, dtype=np.uint8)])
    path = tmp_path / "overlay.png"
    Image.fromarray(rgba).save(path)
    before = path.read_bytes()
    assert not palette_png(path)
    assert path.read_bytes() == before


def test_only_the_fontawesome_script_element_goes():
    html = ('<head>\n  <script src="../_static/a.js"></script>\n'
            f'  <script defer src="../{FONTAWESOME_SCRIPT}?digest=55c2"></script>\n'
            '  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js" />\n</head>')
    assert without_fontawesome(html) == ('<head>\n  <script src="../_static/a.js"></script>\n'
                                         '    <link rel="preload" as="script" '
                                         'href="../_static/scripts/bootstrap.js" />\n</head>')
    assert without_fontawesome("<p>no script</p>") == "<p>no script</p>"


def test_bibtex_backend_is_found_without_scanning_entry_points(monkeypatch):
    """After ``booktools.sphinx_ext.build_speed`` registers it, pybtex finds its plain-text backend in its own table."""
    import pybtex.plugin

    _register_bibtex_backend(None, None)
    expected = pybtex.plugin.find_plugin("pybtex.backends", "plaintext")

    def no_scan(**_):
        raise AssertionError("entry points were scanned")

    monkeypatch.setattr(pybtex.plugin, "entry_points", no_scan)
    assert pybtex.plugin.find_plugin("pybtex.backends", "plaintext") is expected
    with pytest.raises(AssertionError, match="scanned"):
        pybtex.plugin.find_plugin("pybtex.backends", "latex")
