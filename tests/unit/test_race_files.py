"""The Optimizer Race's generated files are current: what optlab computes today, without a browser.

``_static/race/race_data.js`` (surfaces, racers, settings, styles) is written
by :mod:`booktools.race_data`; ``tests/vectors/race_vectors.json``, which the
browser test replays in the applet's core, by :mod:`booktools.race_vectors`.
A change to a Python optimizer, surface or style is caught here on any machine.
"""

from __future__ import annotations

import json
import math

import pytest

from booktools import ROOT, race_data, race_vectors
from optlab.race import SCHEDULES

VECTORS = race_vectors.OUTPUT
RTOL = race_vectors.RTOL


def _mismatches(expected, actual, where="vectors"):
    """Places where two JSON trees differ: structure exactly, numbers to RTOL relative."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return [f"{where}: keys {sorted(expected)} != {sorted(actual)}"]
        return [m for k in expected for m in _mismatches(expected[k], actual[k], f"{where}.{k}")]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: length {len(expected)} != {len(actual)}"]
        return [m for i, (e, a) in enumerate(zip(expected, actual)) for m in _mismatches(e, a, f"{where}[{i}]")]
    if isinstance(expected, float) and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return [] if math.isclose(expected, actual, rel_tol=RTOL, abs_tol=0.0) else [f"{where}: {expected!r} != {actual!r}"]
    return [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]


def test_vectors_are_current():
    """The committed vectors are what optlab computes today (regenerate with python -m booktools.race_vectors)."""
    fresh = json.loads(race_vectors.render(race_vectors.build_vectors()))
    committed = json.loads(VECTORS.read_text())
    problems = _mismatches(committed, fresh)
    assert not problems, (
        f"{len(problems)} values of {VECTORS.name} differ from optlab; run "
        f"`python -m booktools.race_vectors` and commit. First: {problems[:5]}"
    )


def test_mismatch_finder_catches_a_changed_iterate():
    """The comparison above would notice a single iterate moved by 1e-9 relative (the tolerance it uses)."""
    committed = json.loads(VECTORS.read_text())
    changed = json.loads(VECTORS.read_text())
    changed["cases"][3]["path"][7][0] *= 1 + 1e-9
    assert len(_mismatches(committed, changed)) == 1
    assert _mismatches(committed, committed) == []


def test_race_data_is_current():
    """race_data.js is what booktools.race_data writes from optlab today."""
    assert race_data.OUTPUT.read_text(encoding="utf-8") == race_data.render(race_data.race_data()), (
        "_static/race/race_data.js is stale: run `python -m booktools.race_data` and commit")


@pytest.mark.parametrize(("latex", "text"), [
    (r"w_1^2 + 50\,w_2^2", "w₁² + 50 w₂²"),
    (r"1 - \exp\!\big(-\tfrac12 (w_1^2 + 4 w_2^2)\big)", "1 − exp(−½ (w₁² + 4 w₂²))"),
    (r"\tfrac{3}{2}(w_1 - 1)^2", "3/2(w₁ − 1)²"),
])
def test_formulas_become_plain_text(latex, text):
    assert race_data.plain_text(latex) == text


def test_an_unknown_command_is_refused():
    with pytest.raises(ValueError, match="sqrt"):
        race_data.plain_text(r"\sqrt{w_1}")


def test_vectors_cover_noise_and_schedules_and_stay_small():
    """Every racer on every surface with noise and under a schedule, every schedule on every surface, in well under 2 MB."""
    vectors = json.loads(VECTORS.read_text())
    pairs = {(c["surface"], c["optimizer"]) for c in vectors["cases"]}
    assert {(c["surface"], c["optimizer"]) for c in vectors["noisy"]} == pairs
    assert {(c["surface"], c["optimizer"]) for c in vectors["scheduled"]} == pairs
    schedules = {(c["surface"], c["options"]["schedule"]) for c in vectors["scheduled"]}
    assert schedules == {(s, k) for s in vectors["samples"] for k in SCHEDULES}
    assert VECTORS.stat().st_size < 1_000_000


def test_no_hand_written_file_of_the_applet_is_over_600_lines():
    """The applet stays in files a reader can take in: its model, marks, drawing, controls, readout, events."""
    race = ROOT / "_static" / "race"
    lengths = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in race.glob("*.js") if p.name != "race_data.js"}
    assert len(lengths) >= 9 and max(lengths.values()) <= 600, lengths
