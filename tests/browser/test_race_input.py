"""What the reader types or links in the Optimizer Race (``_static/race/race_input.js``).

``parseNumber`` reads the applet's fields and ``share.decode`` reads a link's
URL fragment: both take untrusted text. They are pure, so the page here is
blank: race_data.js, race_core.js and race_input.js (``harness.race.load_scripts``),
and no applet.
"""

from __future__ import annotations

import random

import pytest

from booktools import ROOT
from harness.race import load_scripts

RACE = ROOT / "_static" / "race"
MAX_PROBLEM = 200  # characters in one problem sentence


@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page()
    load_scripts(page, RACE, "race_input.js")
    yield page
    page.close()


@pytest.fixture(scope="module")
def view(page):
    """The view settings a link can hold, each with its choices: {"speed": [...], "floor": [...], ...}."""
    v = page.evaluate("OptimizerRace.VIEW")
    return {"speed": v["speeds"], "floor": v["floors"], "scale": v["scales"], "wide": v["wide"], "more": v["more"]}


@pytest.fixture(scope="module")
def data(page):
    return page.evaluate("RACE_DATA")


def parse(page, text, number_range):
    return page.evaluate("([t, r]) => OptimizerRace.parseNumber(t, r)", [text, number_range])


def decode(page, fragment):
    return page.evaluate("(f) => OptimizerRace.share.decode(f)", fragment)


def encode(page, config):
    return page.evaluate("(c) => OptimizerRace.share.encode(c)", config)


def defaults(page, surface=None):
    return page.evaluate("(s) => OptimizerRace.share.defaults(s === null ? undefined : s)", surface)


def fmt(page, value):
    return page.evaluate("(v) => OptimizerRace.formatNumber(v)", value)


def untouched(page):
    """Nothing ran and nothing reached Object.prototype."""
    return page.evaluate(
        "() => window.__hit === undefined && ({}).polluted === undefined && ({}).x === undefined"
        " && Object.keys(Object.prototype).length === 0 && typeof ({}).hasOwnProperty === 'function'"
    )


# ------------------------------------------------------------------- numbers

WIDE = {"min": -1000, "max": 1000}


@pytest.mark.parametrize(
    ("text", "value"),
    [("0,05", 0.05), ("0.05", 0.05), (",5", 0.5), ("5.", 5), ("5,", 5), (" 1e-3 ", 0.001), ("+2", 2),
     ("-2,5E1", -25), ("0,125", 0.125), ("1,5", 1.5), ("12,5e-1", 1.25), ("0e-999", 0), ("5e-324", 5e-324)],
)
def test_a_number_with_a_decimal_point_or_comma_is_read(page, text, value):
    assert parse(page, text, WIDE) == {"value": value}


def test_minus_zero_is_read_as_zero(page):
    """The fields and links show -0 as "0": the value must be the same."""
    assert page.evaluate("() => Object.is(OptimizerRace.parseNumber('-0', {min: -1, max: 1}).value, 0)")


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "\u201cabc\u201d is not a number"), ("", "\u201c\u201d is not a number"), ("0x10", "is not a number"),
     ("Infinity", "is not a number"), ("-Infinity", "is not a number"), ("NaN", "is not a number"),
     ("1e", "is not a number"), ("1 2", "is not a number"), ("--1", "is not a number"), ("1_000", "is not a number"),
     ("\u0661", "is not a number"), ("\U0001f600", "is not a number"), ("1e999", "is too large to represent"),
     ("-1e999", "is too large to represent"), ("1e-400", "\u201c1e-400\u201d is too small to represent"),
     ("-0,0001e-330", "is too small to represent"),
     ("1,000.5", "is not a number: use one decimal point or comma, and no thousands separator"),
     ("1,2,3", "is not a number: use one decimal point or comma"), ("1..5", "use one decimal point or comma"),
     ("1,500", "could be 1.5 or 1500: write it with a dot, or without the comma"),
     ("-12,345", "could be -12.345 or -12345"), ("1001", "\u201c1001\u201d is outside -1000 to 1000"),
     ("1" * 65, "is too long (more than 64 characters)")],
)
def test_anything_else_is_refused_with_a_message(page, text, message):
    assert message in parse(page, text, WIDE)["error"]


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [("lr", "7", "\u201c7\u201d is outside 0.0001 to 5"), ("lr", "0", "is outside 0.0001 to 5"),
     ("lr", "0,00009", "is outside"), ("beta", "1", "is outside 0 to 0.9999"), ("beta", "-0.1", "is outside"),
     ("weight_decay", "0,6", "is outside 0 to 0.5"), ("sigma", "100.5", "is outside 0 to 100")],
)
def test_values_outside_the_data_ranges_are_refused(page, data, key, text, message):
    assert message in parse(page, text, data["ranges"][key])["error"]


def test_bounds_are_inside_and_shown_to_six_digits(page):
    assert parse(page, "4294967295", {"min": 0, "max": 4294967295, "integer": True}) == {"value": 4294967295}
    assert "is outside 0.333333 to 1" in parse(page, "0.3", {"min": 1 / 3, "max": 1})["error"]


def test_an_integer_range_refuses_a_fraction(page):
    assert parse(page, "1,5", {"min": 0, "max": 9, "integer": True})["error"] == "\u201c1,5\u201d is not a whole number"
    assert parse(page, "2e0", {"min": 0, "max": 9, "integer": True}) == {"value": 2}


def test_a_message_repeats_at_most_24_characters_of_the_text(page):
    error = parse(page, "x" * 30 + "y" * 30, WIDE)["error"]
    assert error == "\u201c" + "x" * 24 + "\u2026\u201d is not a number"
    # Cut between whole characters: an emoji (two UTF-16 units) is kept or dropped, never halved.
    error = parse(page, "a" + "\U0001f600" * 40, WIDE)["error"]
    assert error.startswith("\u201ca" + "\U0001f600" * 23 + "\u2026\u201d")


# --------------------------------------------------------------------- links


def test_defaults_are_the_data_and_the_first_view(page, data):
    first = next(iter(data["surfaces"]))
    config = defaults(page)
    assert config == defaults(page, first)
    assert config["surface"] == first and config["start"] == data["surfaces"][first]["start"]
    assert config["on"] == ["SGD", "Momentum"]
    saddle = defaults(page, "saddle")
    for optimizer in data["optimizers"]:
        suggested = data["settings"]["saddle"][optimizer["name"]]
        assert saddle["hyper"][optimizer["name"]] == {h: suggested[h] for h in optimizer["hyper"]}, "no eps"
    assert (saddle["sigma"], saddle["seed"]) == (data["noise"]["sigma"], data["noise"]["seed"])
    assert (saddle["schedule"], saddle["length"], saddle["step"]) == (data["schedules"][0]["key"], data["horizons"][0], 0)
    # Each call is a fresh object: a caller may change it.
    assert page.evaluate("() => { const a = OptimizerRace.share.defaults(); a.start[0] = 99; a.hyper.Adam.lr = 9;"
                         " const b = OptimizerRace.share.defaults(); return [b.start[0], b.hyper.Adam.lr]; }") != [99, 9]


def test_a_link_names_the_surface_and_only_what_differs(page):
    assert encode(page, defaults(page, "quadratic")) == "race=1&surface=quadratic"
    config = defaults(page, "rosenbrock")
    config["on"] = ["Adam", "SGD"]  # written in the table's order
    config["hyper"]["SGD"]["lr"] = 0.00123
    config["hyper"]["Adam"]["beta1"] = 0.95
    config.update(sigma=0.5, seed=3, schedule="cosine", length=1000, step=120)
    assert encode(page, config) == (
        "race=1&surface=rosenbrock&on=SGD,Adam&lr.SGD=0.00123&beta1.Adam=0.95"
        "&sigma=0.5&seed=3&schedule=cosine&length=1000&step=120"
    )
    config["start"] = [-1e-7, 2.5]
    assert "&start=-1e-7,2.5&" in encode(page, config)


def test_the_example_link_of_the_header_is_read(page):
    fragment = ("#race=1&surface=rosenbrock&start=-1.5,2&on=SGD,Adam&lr.SGD=0.001&beta1.Adam=0.95"
                "&sigma=0.5&seed=3&schedule=cosine&length=1000&step=120")
    result = decode(page, fragment)
    expected = defaults(page, "rosenbrock")
    expected["on"] = ["SGD", "Adam"]
    expected["hyper"]["SGD"]["lr"] = 0.001
    expected["hyper"]["Adam"]["beta1"] = 0.95
    expected.update(start=[-1.5, 2], sigma=0.5, seed=3, schedule="cosine", length=1000, step=120)
    assert result == {"config": expected, "problems": [], "ours": True}


@pytest.mark.parametrize(
    ("fragment", "path", "value"),
    [("race=1&lr.Adam=0,05", ("hyper", "Adam", "lr"), 0.05),
     ("race=1&lr.Adam=0.2&lr.Adam=0.3", ("hyper", "Adam", "lr"), 0.3),  # the last one counts
     ("race=1&step=900&length=1000", ("step",), 900),  # the length is applied first, wherever it is
     ("race=1&on=", ("on",), []),
     ("race=1&on=Adam,SGD,Adam", ("on",), ["SGD", "Adam"]),
     ("race=1&sigma=-0", ("sigma",), 0),
     ("race=1&seed=4294967295", ("seed",), 4294967295),
     ("race=1&start=-1%2C5,0.5", ("start",), None),  # a decimal comma in start is two numbers too many
     ("race=1&schedule=warmup_cosine", ("schedule",), "warmup_cosine"),
     ("race=1&weight_decay.AdamW=%30.5", ("hyper", "AdamW", "weight_decay"), 0.5)],
)
def test_a_link_sets_what_it_names(page, fragment, path, value):
    result = decode(page, fragment)
    got = result["config"]
    for key in path:
        got = got[key]
    if value is None:
        assert [p.split(":")[0] for p in result["problems"]] == [path[0]]
    else:
        assert (got, result["problems"]) == (value, [])


def test_a_problem_names_the_key_and_the_default_used(page):
    default = fmt(page, defaults(page)["hyper"]["Adam"]["beta1"])
    assert decode(page, "race=1&beta1.Adam=abc")["problems"] == [
        f"beta1.Adam: \u201cabc\u201d is not a number; the default {default} is used."]
    assert decode(page, "race=1&on=SGD,Fake")["problems"] == ["on: \u201cFake\u201d is not an optimizer; it is ignored."]
    assert decode(page, "race=1&on=SGD,Fake,Slow")["config"]["on"] == ["SGD"]


@pytest.mark.parametrize(
    "fragment", ["", "#", "some-heading", "#momentum-rmsprop-and-adam", "race", "racing&surface=saddle",
                 "surface=saddle&lr.Adam=abc", "race-1&surface=saddle"],
)
def test_a_fragment_that_is_not_a_race_is_left_alone(page, fragment):
    assert decode(page, fragment) == {"config": defaults(page), "problems": [], "ours": False}


@pytest.mark.parametrize("fragment", ["race=2&surface=saddle", "race=&surface=saddle", "race=10", "race=1x&surface=saddle"])
def test_a_race_link_of_another_format_says_so(page, fragment):
    result = decode(page, fragment)
    assert result["config"] == defaults(page) and not result["ours"]
    assert result["problems"] == ["This link\u2019s race is in a format this page does not read; the defaults are used."]


def random_config(data, view, hideable, rnd):
    """A valid configuration: every value within its range, some at a bound, some at the default."""
    surface = rnd.choice(list(data["surfaces"]))
    x0, x1, y0, y1 = data["surfaces"][surface]["window"]
    settings = data["settings"][surface]

    def pick(number_range, default):
        low, high = number_range["min"], number_range["max"]
        return rnd.choice([low, high, default, rnd.uniform(low, high), rnd.uniform(low, high)])

    names = [o["name"] for o in data["optimizers"]]
    length = rnd.choice(data["horizons"])
    ranges = data["ranges"]
    return {
        "surface": surface,
        "start": rnd.choice([data["surfaces"][surface]["start"], [rnd.uniform(x0, x1), rnd.uniform(y0, y1)], [x1, y0]]),
        "on": [n for n in names if rnd.random() < 0.5],
        "hyper": {o["name"]: {h: pick(ranges[h], settings[o["name"]][h]) for h in o["hyper"]} for o in data["optimizers"]},
        "sigma": pick(ranges["sigma"], data["noise"]["sigma"]),
        "seed": rnd.choice([0, ranges["seed"]["max"], rnd.randrange(ranges["seed"]["max"])]),
        "schedule": rnd.choice(data["schedules"])["key"],
        "length": length,
        "step": rnd.choice([0, length, rnd.randrange(length)]),
        **{key: rnd.choice(choices) for key, choices in view.items()},
        "hide": [part for part in hideable if rnd.random() < 0.2],
    }


@pytest.mark.parametrize("seed", range(50))
def test_a_link_gives_back_the_race_it_was_made_from(page, data, view, seed):
    config = random_config(data, view, page.evaluate("OptimizerRace.HIDEABLE"), random.Random(seed))
    link = encode(page, config)
    assert link.startswith(f"race=1&surface={config['surface']}")
    assert len(link) < 1200, link
    assert decode(page, link) == {"config": config, "problems": [], "ours": True}
    assert decode(page, "#" + link)["config"] == config


# ------------------------------------------------------------ hostile links

HOSTILE = [
    ("script value", "race=1&lr.Adam=<script>alert(1)</script>", ["lr.Adam"], "quadratic"),
    ("script value encoded", "race=1&lr.Adam=%3Cscript%3Ealert(1)%3C%2Fscript%3E", ["lr.Adam"], "quadratic"),
    ("script key", "race=1&<script>alert(1)</script>=1&%3Cscript%3E=1", [None], "quadratic"),
    ("img onerror", "race=1&surface=<img src=x onerror=window.__hit=1>", ["surface"], "quadratic"),
    ("img in on", "race=1&on=<img src=x onerror=window.__hit=1>", ["on"], "quadratic"),
    ("javascript url", "race=1&schedule=javascript:window.__hit=1", ["schedule"], "quadratic"),
    ("1e309", "race=1&sigma=1e309", ["sigma"], "quadratic"),
    ("-0 lr", "race=1&lr.SGD=-0", ["lr.SGD"], "quadratic"),
    ("NaN", "race=1&seed=NaN", ["seed"], "quadratic"),
    ("Infinity", "race=1&beta.Momentum=Infinity", ["beta.Momentum"], "quadratic"),
    ("too small", "race=1&lr.Adam=1e-400", ["lr.Adam"], "quadratic"),
    ("4000-character value", "race=1&lr.Adam=" + "1" * 4000, ["lr.Adam"], "quadratic"),
    ("1 MB value", "race=1&lr.Adam=" + "9" * 1_000_000, [None], "quadratic"),
    ("10000 keys", "race=1" + "&x=1" * 10_000, [None], "quadratic"),
    ("300 repeats", "race=1" + "&lr.Adam=abc" * 300, ["lr.Adam"], "quadratic"),
    ("malformed percent", "race=1&lr.Adam=%E0%A4%A", ["lr.Adam"], "quadratic"),
    ("malformed percent key", "race=1&%E0%A4%A=1", [None], "quadratic"),
    ("prototype keys", "race=1&__proto__.polluted=1&__proto__=x&constructor.prototype.x=1&prototype=1"
                       "&hasOwnProperty=1&toString=1&__proto__[polluted]=1", [None], "quadratic"),
    ("prototype surface", "race=1&surface=__proto__", ["surface"], "quadratic"),
    ("constructor surface", "race=1&surface=constructor", ["surface"], "quadratic"),
    ("prototype schedule", "race=1&schedule=constructor", ["schedule"], "quadratic"),
    ("prototype names", "race=1&on=__proto__,constructor,toString,hasOwnProperty", ["on"], "quadratic"),
    ("unknown optimizer", "race=1&on=Lion&lr.Lion=0.1", ["on", None], "quadratic"),
    ("start out of window", "race=1&surface=rosenbrock&start=100,0", ["start"], "rosenbrock"),
    ("start of one number", "race=1&surface=saddle&start=1", ["start"], "saddle"),
    ("start of three numbers", "race=1&start=1,0,0", ["start"], "quadratic"),
    ("step beyond length", "race=1&length=300&step=301", ["step"], "quadratic"),
    ("fractional step", "race=1&step=1.5", ["step"], "quadratic"),
    ("unknown length", "race=1&length=500", ["length"], "quadratic"),
    ("schedule eval", "race=1&schedule=eval", ["schedule"], "quadratic"),
    ("fractional seed", "race=1&seed=1.5", ["seed"], "quadratic"),
    ("right-to-left override", "race=1&lr.Adam=%E2%80%AE1.0", ["lr.Adam"], "quadratic"),
    ("empty key and value", "race=1&&=&=1&lr.Adam&x", [], "quadratic"),
]


@pytest.mark.parametrize(("fragment", "keys", "surface"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_a_hostile_link_falls_back_to_defaults_with_a_message(page, fragment, keys, surface):
    result = decode(page, fragment)  # a thrown error would fail here
    assert result["config"] == defaults(page, surface) and result["ours"]
    assert untouched(page)
    # One sentence for each bad key, naming it; None for the whole link.
    named = [p.split(":")[0] if ":" in p.split(" ")[0] else None for p in result["problems"]]
    assert named == keys, result["problems"]
    for problem in result["problems"]:
        assert len(problem) <= MAX_PROBLEM and problem.endswith("."), problem
    # What is read back from a hostile link is a canonical link like any other.
    link = encode(page, result["config"])
    assert decode(page, link)["problems"] == [] and encode(page, decode(page, link)["config"]) == link
