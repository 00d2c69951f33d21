"""booktools: the code that builds, checks and measures the book, beside :mod:`optlab`.

One obvious place for each job:

* :mod:`booktools.toc`: the pages of ``_toc.yml`` (read by ``sphinx_external_toc``),
  and which of them are notebooks;
* :mod:`booktools.myst`: the directive fences of a MyST page (read by ``markdown-it-py``);
* :mod:`booktools.serve`: a quiet local HTTP server and the Chromium launcher,
  shared by the browser tests and the benchmark;
* :mod:`booktools.race_data`: writes ``_static/race/race_data.js``, what the
  Optimizer Race shares with ``optlab``;
* :mod:`booktools.race_vectors`: the applet's parity vectors;
* :mod:`booktools.torch_vectors`: PyTorch's reference trajectories;
* :mod:`booktools.schedule_vectors`: PyTorch's learning rates for ``optlab.schedules``;
* :mod:`booktools.execute_ahead`: the chapter notebooks executed two at a time before a build;
* :mod:`booktools.student_edition`: the book without its solutions;
* :mod:`booktools.mutation`: plants bugs in ``optlab`` and runs the unit tests;
* :mod:`booktools.bench`: ``make bench``, split by what it measures;
* :mod:`booktools.portability`: older NumPy kernels and nudged last bits, under
  which ``make test-portability`` replays the numeric tests and the notebooks;
* :mod:`booktools.bundles`: each notebook page's runnable bundle (notebook,
  optlab wheel, requirements).

Every module that writes or builds something runs as ``python -m booktools.NAME``.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository that this copy of the package belongs to (``code/booktools`` is two levels down)."""
