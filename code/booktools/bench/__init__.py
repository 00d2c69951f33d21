"""Performance benchmark of the chapter: run it with ``make bench`` (``python -m booktools.bench``).

It measures five figures and prints each next to its budget (issue 7), one
module per kind of measurement:

1. :mod:`~booktools.bench.experiments`: every run behind the figures, tables
   and exercises of the original chapter (27.1-27.6), through optlab's public
   functions (:mod:`~booktools.bench.chapter_runs`), next to a straightforward
   textbook NumPy implementation of the same runs
   (:mod:`~booktools.bench.baseline`), best of a few repeats, side by side in
   one process;
2. :mod:`~booktools.bench.execution`: "Run all" of every chapter notebook in
   the table of contents (nbclient, one fresh kernel each), fastest of two runs:
   the total, each page, and the slowest cells against the budget of a cell;
3. :mod:`~booktools.bench.build`: clean ``make book``, a rebuild with no
   change, and a rebuild after a prose-only change, in a throw-away copy of
   the repository;
4. the same module: ``make test`` wall time, in the same copy (without
   ``make test-portability``, which CI runs apart);
5. :mod:`~booktools.bench.page_weight`: bytes Chromium transfers to load each
   chapter page;
6. :mod:`~booktools.bench.race_frames`: the Optimizer Race's frame time and
   its redraw time after each control's change, at its heaviest setting.

Nothing here asserts: the benchmark reports, and exits 0 unless it crashes.
``--only 1,2`` runs a subset; items that need something missing (the
``.venv``, Chromium, a chapter notebook) say "skipped" and why. Each item
returns rows ``(figure, measured, budget, met, note)``.
"""
