"""What LaTeX's log says about the PDF edition: boxes that stick out, references left undefined.

``python -m booktools.latex_log FILE.log`` prints every undefined reference
and citation and exits with 1 if there is one (``make pdf`` and
``make pdf-student`` run it); ``tests/book/test_pdf.py`` reads the same
log with the same functions, overfull boxes included.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

OVERFULL_TOLERANCE_PT = 3.0
"""A box may stick out by this much, a quarter of a line into the margin (a code frame split over two pages
can end a point or two low); more is text running into the margin or the footer, or off the page."""


def overfull_boxes(log: str, tolerance_pt: float = OVERFULL_TOLERANCE_PT) -> list[str]:
    """LaTeX's reports of boxes overfull by more than ``tolerance_pt``."""
    reports = re.findall(r"^(Overfull \\[hv]box \((\d+(?:\.\d+)?)pt too \w+\).*)$", log, flags=re.M)
    return [line for line, amount in reports if float(amount) > tolerance_pt]


def undefined_references(log: str) -> list[str]:
    """LaTeX's warnings of undefined references and citations (the log wraps its lines at 79 characters)."""
    unwrapped = re.sub(r"\n(?!\n)", "", log)
    return re.findall(r"LaTeX Warning: (?:Hyper r|R)eference `[^']+' on page \d+ undefined|"
                      r"LaTeX Warning: Citation `[^']+' on page \d+ undefined|"
                      r"LaTeX Warning: There were undefined references", unwrapped)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="the LaTeX log of the PDF (_build/latex/NAME.log)")
    args = parser.parse_args(argv)
    undefined = undefined_references(args.log.read_text(encoding="utf-8", errors="replace"))
    for warning in undefined:
        print(warning, file=sys.stderr)
    return 1 if undefined else 0


if __name__ == "__main__":
    sys.exit(main())
