"""Item 5: the bytes Chromium fetches to load each chapter page, plain and gzip-served."""

from __future__ import annotations

from pathlib import Path

from booktools.serve import chromium, find_chromium, serve
from booktools.toc import pages

PAGE_BYTES = 3_000_000
"""Budget: bytes on the wire per chapter page."""


def page_weight(browser, url: str) -> dict:
    """What Chromium fetches to load ``url`` and run it to idle, scrolled to the end (cache off).

    Bytes are the encoded lengths on the wire (headers included), as the
    network panel's "transferred" column shows them.
    """
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes, urls = {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    context.close()
    by_url = {urls.get(r, r).split("?")[0]: size for r, size in sizes.items()}
    return {
        "total": sum(sizes.values()),
        "requests": len(sizes),
        "png": sum(size for u, size in by_url.items() if u.endswith(".png")),
        "largest": sorted(by_url.items(), key=lambda item: -item[1])[:3],
    }


def bench_page_weight(html: Path) -> list[tuple]:
    """Item 5: every chapter page of the built site, loaded in Chromium, plain and gzip-served."""
    if not (html / "index.html").exists():
        return [("5 page weight", "skipped", "", None, f"no built site in {html}")]
    if find_chromium() is None:
        return [("5 page weight", "skipped", "", None, "Debian's chromium is missing")]
    root = html.parents[1]
    chapters = [p.relative_to(root).with_suffix(".html") for p in pages(root) if p.parent.name == "chapters"]
    chapters = [p for p in chapters if (html / p).exists()]
    rows = []
    with chromium() as browser, serve(html) as plain, serve(html, gzip_level=6) as zipped:
        for relative in chapters:
            raw = page_weight(browser, f"{plain}{relative}")
            packed = page_weight(browser, f"{zipped}{relative}")
            heavy = ", ".join(f"{Path(u).name} {b / 1e6:.2f}" for u, b in raw["largest"])
            note = (f"gzip-served {packed['total'] / 1e6:.2f} MB; {raw['requests']} requests; "
                    f"PNG {raw['png'] / 1e6:.2f} MB; largest: {heavy}")
            rows.append((f"5 page weight: {relative.stem}", f"{raw['total'] / 1e6:.2f} MB",
                         f"<= {PAGE_BYTES / 1e6:.0f} MB", raw["total"] <= PAGE_BYTES, note))
    return rows
