"""Item 2: "Run all" of every chapter notebook, one fresh kernel each: per page, and the slowest cells."""

from __future__ import annotations

import time
from dataclasses import dataclass

from booktools.toc import is_notebook, pages

EXECUTION_SECONDS = 10.0
"""Budget: seconds in the cells of all chapter notebooks together."""
CELL_SECONDS = 1.0
"""Budget: seconds of any one cell."""
SLOWEST = 10
"""How many of the slowest cells the table lists."""


@dataclass(frozen=True)
class CellTime:
    """The seconds one code cell of a page took, with the first line of its code to recognise it by."""

    page: str
    index: int
    seconds: float
    first_line: str


def bench_execution(repeats: int = 2) -> list[tuple]:
    """Item 2: run every chapter notebook top to bottom in a fresh kernel, as "Run all" does.

    The whole set is run ``repeats`` times and, for the total, each page and
    each cell, the fastest run is reported (the machine is shared, and a run
    can lose seconds to its neighbours); the first note lists every run's total.
    """
    notebooks = [p for p in pages() if is_notebook(p)]
    if not notebooks:
        return [("2 chapter execution", "skipped", f"<= {EXECUTION_SECONDS:.0f} s", None, "no chapter notebook")]
    runs = [_run_all(notebooks) for _ in range(repeats)]
    cells = fastest_cells(runs)
    totals = sorted(sum(cell.seconds for cell in cells) for cells, _ in runs)
    starts = min(start for _, start in runs)
    page_seconds = {page.stem: sum(cell.seconds for cell in cells if cell.page == page.stem) for page in notebooks}
    note = (f"cells only, fastest of {repeats} runs ({', '.join(f'{total:.1f}' for total in totals)} s); "
            f"kernel start-up adds {starts:.1f} s")
    rows = [("2 chapter execution (Run all)", f"{totals[0]:.1f} s", f"<= {EXECUTION_SECONDS:.0f} s",
             totals[0] <= EXECUTION_SECONDS, note)]
    rows += [(f"2 Run all: {page}", f"{seconds:.1f} s", "", None, "") for page, seconds in page_seconds.items()]
    over = sum(cell.seconds > CELL_SECONDS for cell in cells)
    rows.append(("2 cells over the cell budget", f"{over}", "0", over == 0, f"of {len(cells)} code cells"))
    rows += [(f"2 cell {cell.page}[{cell.index}]", f"{cell.seconds:.2f} s", f"<= {CELL_SECONDS:.0f} s",
              cell.seconds <= CELL_SECONDS, cell.first_line)
             for cell in slowest(cells, SLOWEST)]
    return rows


def fastest_cells(runs) -> list[CellTime]:
    """Each cell at its fastest over ``runs`` (pairs of cell times and start-up seconds, same cells in each)."""
    by_cell = {}
    for cells, _ in runs:
        for cell in cells:
            key = (cell.page, cell.index)
            if key not in by_cell or cell.seconds < by_cell[key].seconds:
                by_cell[key] = cell
    return list(by_cell.values())


def slowest(cells: list[CellTime], count: int) -> list[CellTime]:
    """The ``count`` slowest cells, slowest first."""
    return sorted(cells, key=lambda cell: -cell.seconds)[:count]


def _run_all(notebooks) -> tuple[list[CellTime], float]:
    """The time of every code cell of ``notebooks``, and the seconds their kernels took to start."""
    import jupytext
    from nbclient import NotebookClient

    cells, start_total = [], 0.0
    for path in notebooks:
        notebook = jupytext.read(path)
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        started = time.perf_counter()
        with client.setup_kernel():
            start_total += time.perf_counter() - started
            for index, cell in enumerate(notebook.cells):
                began = time.perf_counter()
                client.execute_cell(cell, index)
                if cell.cell_type == "code":
                    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
                    cells.append(CellTime(path.stem, index, time.perf_counter() - began, first_line[:60]))
    return cells, start_total
