"""The benchmark's per-cell figures of "Run all" (``booktools.bench.execution``), on made-up timings."""

from booktools.bench.execution import CellTime, fastest_cells, slowest


def _run(*seconds):
    return [CellTime("page", index, s, f"cell {index}") for index, s in enumerate(seconds)], 0.5


def test_each_cell_is_reported_at_its_fastest_over_the_runs():
    cells = fastest_cells([_run(2.0, 0.1, 0.5), _run(1.5, 0.3, 0.4)])
    assert [cell.seconds for cell in cells] == [1.5, 0.1, 0.4]


def test_slowest_cells_come_first_and_are_cut_at_the_count():
    cells, _ = _run(0.2, 3.0, 0.9, 1.1)
    assert [cell.index for cell in slowest(cells, 2)] == [1, 3]
