"""The Optimizer Race's model (``race_model.js``) alone: the race as data, driven without any DOM.

The page holds only race_data.js, race_core.js, race_input.js and
race_model.js, as the core's tests do; a model is made, configured and run
there, and read back, exactly as the applet does.
"""

from __future__ import annotations

import pytest

from booktools import ROOT
from harness.race import load_scripts

RACE = ROOT / "_static" / "race"


@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page()
    load_scripts(page, RACE, "race_input.js", "race_model.js")
    yield page
    page.close()


def model(page, fragment, expression):
    """``expression``, a function of a RaceModel configured from the link ``fragment``."""
    return page.evaluate(
        f"""(fragment) => {{ const m = new OptimizerRace.RaceModel();
                            m.setConfig(OptimizerRace.share.decode(fragment).config); return ({expression})(m); }}""",
        fragment,
    )


@pytest.mark.parametrize("fragment", [
    "race=1",
    "race=1&surface=rosenbrock&on=SGD,Adam&lr.SGD=0.0005&length=1000&step=120&floor=-32&more=1",
    "race=1&on=Momentum,AdamW&sigma=2&seed=7&schedule=warmup_cosine&more=1&hide=step,more",
])
def test_a_model_gives_back_the_configuration_it_was_given(page, fragment):
    again = model(page, fragment, "(m) => OptimizerRace.share.encode(m.config())")
    assert again == page.evaluate("(f) => OptimizerRace.share.encode(OptimizerRace.share.decode(f).config)", fragment)


def test_its_runs_are_the_cores(page):
    same = model(page, "race=1&on=SGD,RMSProp&sigma=1&seed=3&schedule=cosine",
                 """(m) => { const o = OptimizerRace.OPTIMIZERS.find((o) => o.name === 'RMSProp');
                            const r = OptimizerRace.run(m.surface, o, m.hyper.RMSProp, m.start, m.horizon, m.options());
                            return JSON.stringify(r.path) === JSON.stringify(m.runs.RMSProp.path); }""")
    assert same


def test_explanations_only_while_paused_with_more_open(page):
    result = model(page, "race=1&on=SGD,Momentum&step=4",
                   """(m) => { const out = [m.more]; m.updateExplanations(); out.push(m.explanations);
                              m.more = true; m.updateExplanations(); out.push(Object.keys(m.explanations), m.arrowOwner());
                              m.playing = true; m.updateExplanations(); out.push(m.explanations); return out; }""")
    assert result == [False, None, ["SGD", "Momentum"], "SGD", None]


def test_its_snapshot_is_what_the_drawing_needs(page):
    """The snapshot holds the configuration, the runs themselves, the names shown, and, paused with More open,
    the explanations, the arrows' owner and its stability map; playing, neither."""
    result = model(page, "race=1&on=Momentum,Adam&step=7&more=1",
                   """(m) => { m.updateExplanations(); const s = m.snapshot();
                              const out = [s.surface === m.surface, s.runs === m.runs, s.shown, s.t, s.config.step,
                                           Object.keys(s.explanations), s.arrowsOf, s.stability.name];
                              m.playing = true; m.updateExplanations(); const p = m.snapshot();
                              return out.concat([p.playing, p.explanations, p.arrowsOf, p.stability]); }""")
    assert result == [True, True, ["Momentum", "Adam"], 7, 7, ["Momentum", "Adam"], "Momentum", "Momentum", True, None, None, None]


def test_a_race_beyond_the_first_sight_opens_more(page):
    assert model(page, "race=1&surface=saddle", "(m) => m.more") is True
    assert model(page, "race=1&on=Momentum", "(m) => m.more") is False


def test_the_model_touches_no_dom(page):
    """Its source names neither the document nor the window but for the namespace and the data it reads."""
    source = (RACE / "race_model.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("*", "/*", "//")))
    assert "document" not in code
    assert {w for w in ("window.OptimizerRace", "window.RACE_DATA") if w in code} == {"window.OptimizerRace", "window.RACE_DATA"}
    assert code.count("window.") == 2
