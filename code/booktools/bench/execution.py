"""Item 2: "Run all" of every chapter notebook, one fresh kernel each."""

from __future__ import annotations

import time

from booktools.toc import is_notebook, pages

EXECUTION_SECONDS = 10.0
"""Budget: seconds in the cells of all chapter notebooks together."""


def bench_execution(repeats: int = 2) -> list[tuple]:
    """Item 2: run every chapter notebook top to bottom in a fresh kernel, as "Run all" does.

    The whole set is run ``repeats`` times and the fastest is reported (the
    machine is shared, and a run can lose seconds to its neighbours); the
    note lists every run.
    """
    notebooks = [p for p in pages() if is_notebook(p)]
    if not notebooks:
        return [("2 chapter execution", "skipped", f"<= {EXECUTION_SECONDS:.0f} s", None, "no chapter notebook")]
    runs = sorted((_run_all(notebooks) for _ in range(repeats)), key=lambda run: run[0])
    cells_total, start_total, parts = runs[0]
    note = (f"cells only, fastest of {repeats} runs ({', '.join(f'{run[0]:.1f}' for run in runs)} s); "
            f"kernel start-up adds {start_total:.1f} s. " + ", ".join(parts))
    return [("2 chapter execution (Run all)", f"{cells_total:.1f} s", f"<= {EXECUTION_SECONDS:.0f} s",
             cells_total <= EXECUTION_SECONDS, note)]


def _run_all(notebooks) -> tuple[float, float, list[str]]:
    """Seconds in cells and in kernel start-up over ``notebooks``, and one "name seconds" per notebook."""
    import jupytext
    from nbclient import NotebookClient

    cells_total = start_total = 0.0
    parts = []
    for path in notebooks:
        notebook = jupytext.read(path)
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        started = time.perf_counter()
        with client.setup_kernel():
            ready = time.perf_counter()
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
            done = time.perf_counter()
        start_total += ready - started
        cells_total += done - ready
        parts.append(f"{path.stem} {done - ready:.1f}")
    return cells_total, start_total, parts
