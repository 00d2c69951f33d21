"""``python -m booktools.execute_ahead [ROOT]``: the chapter notebooks executed two at a time, before the build.

myst-nb executes a book's notebooks one after another, while Sphinx reads
the pages, so on a machine with two cores one core waits through a clean
build. ``make book`` runs this first: every chapter notebook of ``ROOT``
(default: the current folder) that the build's execution cache
(``_build/.jupyter_cache``) does not hold yet is read exactly as myst-nb reads
it (so the cache finds it under the same key), executed in its own folder,
two at a time, and stored in the cache; the build then takes the outputs from
there (:mod:`booktools.sphinx_ext.cached_outputs` keeps them in the
downloadable notebooks) and executes nothing. A notebook that raises is not
stored: the build executes it again and reports the error as it always does.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from booktools.toc import is_notebook, pages

JOBS = 2
"""Notebooks executed at once: the cores of the machines the book is built on."""


def read_as_myst_nb(path: Path, extensions: list[str]):
    """The notebook that myst-nb makes of the MyST page ``path``, with the book's MyST extensions."""
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), MdParserConfig(enable_extensions=set(extensions)), NbParserConfig(), text)
    return reader.read(text)


def execute(path: Path, extensions: list[str], timeout: int):
    """``(path, executed notebook or None if a cell raised, seconds)``, run in the page's folder as myst-nb does."""
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = read_as_myst_nb(path, extensions)
    result = single_nb_execution(notebook, cwd=str(path.parent), timeout=timeout, allow_errors=False,
                                 meta_override=True)
    return path, None if result.err else notebook, result.time


def not_cached(cache, notebooks: list[Path], extensions: list[str]) -> list[Path]:
    """The notebooks whose code the cache holds no execution of."""
    missing = []
    for path in notebooks:
        try:
            cache.match_cache_notebook(read_as_myst_nb(path, extensions))
        except KeyError:
            missing.append(path)
    return missing


def main(argv=None) -> None:
    """Execute the chapter notebooks that the cache lacks, :data:`JOBS` at a time, and store them."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path.cwd())
    root = parser.parse_args(argv).root.resolve()
    config = yaml.safe_load((root / "_config.yml").read_text())
    extensions = config.get("parse", {}).get("myst_enable_extensions", [])
    timeout = config.get("execute", {}).get("timeout", 300)
    cache = get_cache(str(root / "_build" / ".jupyter_cache"))
    todo = not_cached(cache, [p for p in pages(root) if p.suffix == ".md" and is_notebook(p)], extensions)
    started = time.perf_counter()
    with ProcessPoolExecutor(JOBS) as pool:
        for path, notebook, seconds in pool.map(execute, todo, [extensions] * len(todo), [timeout] * len(todo)):
            if notebook is None:
                print(f"execute_ahead: {path.relative_to(root)} raised; the build will execute it and say where")
                continue
            cache.cache_notebook_bundle(CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
    print(f"execute_ahead: {len(todo)} notebooks executed, {JOBS} at a time, in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
