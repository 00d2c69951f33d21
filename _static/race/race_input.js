/* The Optimizer Race, what the reader types or links: numbers in the fields, and a race in a link. No DOM.
 *
 * A LINK TO A RACE. The page's URL fragment (what follows "#") can hold a
 * whole race, so that a teacher can hand students a link to exactly the race
 * they should see:
 *
 *   race.html#race=1&surface=rosenbrock&start=-1.5,2&on=SGD,Adam&lr.SGD=0.001&beta1.Adam=0.95&sigma=0.5&seed=3&schedule=cosine&length=1000&step=120
 *
 * - It starts with "race=1" (the format's version). Any other fragment, such
 *   as "#some-heading" (the book's section anchors), is not a race and is
 *   left alone.
 * - Then key=value pairs joined by "&", in any order; a link need only name
 *   what differs from the surface's suggested settings:
 *     surface=KEY           quadratic, rosenbrock, saddle or plateau (race_data.js)
 *     start=W1,W2           the start point, inside the surface's window
 *     on=NAME,NAME,...      the optimizers shown ("on=" shows none)
 *     HYPER.NAME=NUMBER     a setting of one optimizer: lr.Adam, beta.Momentum,
 *                           beta1.Adam, beta2.AdamW, weight_decay.AdamW, ...
 *     sigma=NUMBER          the gradient noise, seed=WHOLE NUMBER its seed
 *     schedule=KEY          constant, step, cosine or warmup_cosine
 *     length=STEPS          a race length the applet offers (300, 1000, 3000)
 *     step=STEP             the step shown, 0 to the length
 *     speed=STEPS           steps per second while playing (5, 15, 30, 60, 120, 300, 600)
 *     floor=K               the loss plot's floor 10^K (-8, -12, -16, -32, -300)
 *     scale=equal           the map drawn to scale (auto: the surface's window)
 *     wide=1                full width
 *     more=1                the "More" section open (every optimizer, noise, schedules, readout)
 *     hide=NAME,NAME,...    parts a teacher hides: surface, play, step, reset, more,
 *                           fullwidth, standings, settings, readout, setup, help
 *   Numbers are written with a dot; values are percent-encoded.
 * - A value that is not valid (not a number, out of range, unknown name)
 *   keeps its default, and the applet says so. Unknown keys are ignored,
 *   with a message that names them (and the key meant, for "lr.adam");
 *   when a key appears twice, the last one counts (so a setting appended
 *   to a link overrides the link's own).
 *
 * A link is untrusted text: this file only reads it, through the same
 * parseNumber as the fields, and never evaluates it or builds HTML from it.
 *
 * Exports on window.OptimizerRace: parseNumber(text, range) -> {value} or
 * {error}; share.defaults(surfaceKey), share.encode(config) and
 * share.decode(fragment) -> {config, problems, ours}; formatNumber(v), the
 * six-digit form of a number in messages and fields; VIEW, the view settings'
 * choices. Loaded after race_core.js, before race_draw.js and race_ui.js.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.share) return; // a page that embeds the applet twice loads this twice
  const DATA = window.RACE_DATA;

  const MAX_TEXT = 64; // longer than any number a field needs
  const QUOTED = 24; // of the reader's text, at most, repeated in a message
  const MAX_FRAGMENT = 4096; // ten times a link that sets everything
  const MARKER = "race=1";
  // How the race is shown: these go in a link too. Speeds in steps per second;
  // loss floors as the power of ten below which the loss plot draws values on its floor.
  // more=1 opens the "More" section (every optimizer, noise, schedules, the readout).
  const VIEW = { speeds: [5, 15, 30, 60, 120, 300, 600], floors: [-8, -12, -16, -32, -300], scales: ["auto", "equal"], wide: [0, 1], more: [0, 1] };
  const VIEW_DEFAULTS = { speed: 30, floor: -16, scale: "auto", wide: 0, more: 0 };
  // What the applet shows when it opens: the first lesson, gradient descent and momentum on the bowl.
  const SHOWN_AT_FIRST = ["SGD", "Momentum"];
  // Parts of the applet a teacher's link may hide (hide=NAME,NAME): race_ui.js marks each.
  const HIDEABLE = ["surface", "play", "step", "reset", "more", "fullwidth", "standings", "settings", "readout", "setup", "help"];

  /* ----------------------------------------------------------------- numbers */

  /** Six significant digits, as a message shows a number; "-0" is "0"; a whole number is written out in full. */
  function formatNumber(v) {
    if (Number.isInteger(v)) return String(v + 0);
    const rounded = Number(v.toPrecision(6));
    return String(rounded === 0 ? 0 : rounded);
  }

  // The reader's text in a message: quoted, cut to QUOTED characters (whole
  // code points: the slice of 2 * QUOTED code units holds at least QUOTED).
  function quote(text) {
    const points = Array.from(text.slice(0, 2 * QUOTED));
    return `\u201c${points.slice(0, QUOTED).join("")}${points.length > QUOTED ? "\u2026" : ""}\u201d`;
  }

  // A decimal number with a dot or a comma (phone keypads in many locales
  // type a comma) and an optional exponent; nothing else: no hex, no
  // Infinity, no thousands separators.
  const NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/;
  const SEPARATORS = /^[+-]?[\d.,]*[.,][\d.,]*[.,][\d.,]*([eE][+-]?\d+)?$/;
  // "1,500" reads 1.5 with a decimal comma, 1500 with a thousands separator.
  const AMBIGUOUS = /^[+-]?[1-9]\d{0,2},\d{3}$/;

  /**
   * The number that `text` spells, if it lies in range = {min, max, integer?}.
   * Returns {value} or {error}, a short sentence without a final period
   * ("“abc” is not a number") that callers complete.
   */
  function parseNumber(text, range) {
    const trimmed = String(text).trim();
    const q = quote(trimmed);
    if (trimmed.length > MAX_TEXT) return { error: `${q} is too long (more than ${MAX_TEXT} characters)` };
    if (AMBIGUOUS.test(trimmed))
      return { error: `${q} could be ${formatNumber(Number(trimmed.replace(",", ".")))} or ${trimmed.replace(",", "")}: write it with a dot, or without the comma` };
    if (SEPARATORS.test(trimmed)) return { error: `${q} is not a number: use one decimal point or comma, and no thousands separator` };
    if (!NUMBER.test(trimmed)) return { error: `${q} is not a number` };
    const value = Number(trimmed.replace(",", ".")) + 0; // + 0 turns -0 into 0, which every field shows as "0"
    if (!Number.isFinite(value)) return { error: `${q} is too large to represent` };
    if (value === 0 && /[1-9]/.test(trimmed.split(/[eE]/)[0])) return { error: `${q} is too small to represent` };
    if (range.integer && !Number.isInteger(value)) return { error: `${q} is not a whole number` };
    if (!(value >= range.min && value <= range.max))
      return { error: `${q} is outside ${formatNumber(range.min)} to ${formatNumber(range.max)}` };
    return { value };
  }

  /* ------------------------------------------------------------------- links */

  const SURFACE_KEYS = Object.keys(DATA.surfaces);
  const NAMES = R.OPTIMIZERS.map((o) => o.name);

  // A value that must be one of `values` (strings or numbers), spelled as String(value).
  const oneOf = (values) => (text) => {
    const found = values.find((v) => String(v) === text);
    return found === undefined ? { error: `${quote(text)} is not one of ${values.join(", ")}` } : { value: found };
  };

  // The optimizers named, in the table's order and each once; unknown names are dropped with a note.
  function parseNames(text) {
    const names = text === "" ? [] : text.split(",");
    const unknown = names.filter((n) => !NAMES.includes(n));
    const value = NAMES.filter((n) => names.includes(n));
    if (!unknown.length) return { value };
    const which = unknown.length > 1 ? `${quote(unknown[0])} and ${unknown.length - 1} more are not optimizers` : `${quote(unknown[0])} is not an optimizer`;
    return value.length ? { value, error: `${which}; ${unknown.length > 1 ? "they are" : "it is"} ignored` } : { error: which };
  }

  // The parts a teacher hides, in HIDEABLE's order and each once; unknown names are dropped with a note.
  function parseHidden(text) {
    const names = text === "" ? [] : text.split(",");
    const unknown = names.filter((n) => !HIDEABLE.includes(n));
    const value = HIDEABLE.filter((n) => names.includes(n));
    if (!unknown.length) return { value };
    const error = `${quote(unknown[0])}${unknown.length > 1 ? ` and ${unknown.length - 1} more` : ""} cannot be hidden (only ${HIDEABLE.join(", ")})`;
    return value.length ? { value, error: `${error}; ignored` } : { error };
  }

  function parseStart(text, config) {
    const parts = text.split(",");
    if (parts.length !== 2) return { error: `${quote(text)} is not two numbers w\u2081,w\u2082` };
    const [x0, x1, y0, y1] = DATA.surfaces[config.surface].window;
    const results = [parseNumber(parts[0], { min: x0, max: x1 }), parseNumber(parts[1], { min: y0, max: y1 })];
    const bad = results.findIndex((r) => r.error);
    return bad < 0 ? { value: results.map((r) => r.value) } : { error: `w${"\u2081\u2082"[bad]} ${results[bad].error}` };
  }

  const inRange = (range) => (text) => parseNumber(text, range);

  // Every key of a link but the surface (which decides the defaults of the
  // others), with where its value lives in a config. Decoding applies them in
  // this order, so the length is known before the step; links list them in it.
  const SURFACE = { key: "surface", path: ["surface"], parse: oneOf(SURFACE_KEYS) };
  const FIELDS = [
    { key: "start", path: ["start"], parse: parseStart },
    { key: "on", path: ["on"], parse: parseNames },
    ...R.OPTIMIZERS.flatMap((o) => o.hyper.map((h) => ({ key: `${h}.${o.name}`, path: ["hyper", o.name, h], parse: inRange(DATA.ranges[h]) }))),
    { key: "sigma", path: ["sigma"], parse: inRange(DATA.ranges.sigma) },
    { key: "seed", path: ["seed"], parse: inRange({ ...DATA.ranges.seed, integer: true }) },
    { key: "schedule", path: ["schedule"], parse: oneOf(DATA.schedules.map((s) => s.key)) },
    { key: "length", path: ["length"], parse: oneOf(DATA.horizons) },
    { key: "step", path: ["step"], parse: (text, config) => parseNumber(text, { min: 0, max: config.length, integer: true }) },
    { key: "speed", path: ["speed"], parse: oneOf(VIEW.speeds) },
    { key: "floor", path: ["floor"], parse: oneOf(VIEW.floors) },
    { key: "scale", path: ["scale"], parse: oneOf(VIEW.scales) },
    { key: "wide", path: ["wide"], parse: oneOf(VIEW.wide) },
    { key: "more", path: ["more"], parse: oneOf(VIEW.more) },
    { key: "hide", path: ["hide"], parse: parseHidden },
  ];
  const KEYS = [MARKER.split("=")[0], SURFACE.key, ...FIELDS.map((f) => f.key)];

  // Keys of a link that no race has: one sentence, with the key meant where only the case differs.
  function unknownKeys(params) {
    const unknown = [...params.keys()].filter((k) => !KEYS.includes(k));
    if (!unknown.length) return [];
    const meant = (k) => KEYS.find((known) => known.toLowerCase() === k.toLowerCase());
    const listed = unknown.slice(0, 3).map((k) => (meant(k) ? `${quote(k)} (did you mean ${meant(k)}?)` : quote(k)));
    const more = unknown.length > 3 ? ` and ${unknown.length - 3} more` : "";
    return [`Not keys of a race link, so ignored: ${listed.join(", ")}${more}.`];
  }

  const get = (config, path) => path.reduce((node, key) => node[key], config);
  function set(config, path, value) {
    get(config, path.slice(0, -1))[path[path.length - 1]] = value;
  }

  // A value as a link writes it: String() gives the shortest text that reads back as the same float64.
  const write = (value) => [].concat(value).map((v) => encodeURIComponent(String(v))).join(",");
  // A value as a message shows it.
  const show = (value) => (Array.isArray(value) ? value.map(show).join(", ") : typeof value === "number" ? formatNumber(value) : value);

  function percentDecoded(text) {
    try {
      return decodeURIComponent(text);
    } catch (e) {
      return null; // a malformed escape such as "%E0%A4%A"
    }
  }

  /** A fresh race configuration: the surface's suggested settings (the first surface's if none is given). */
  function defaults(surfaceKey = SURFACE_KEYS[0]) {
    if (!SURFACE_KEYS.includes(surfaceKey)) throw new Error(`race_input.js: no surface "${surfaceKey}" in race_data.js`);
    const settable = (o) => {
      const suggested = R.defaultHyper(surfaceKey, o.name); // also holds eps, which the reader does not set
      return Object.fromEntries(o.hyper.map((h) => [h, suggested[h]]));
    };
    return {
      surface: surfaceKey,
      start: [...DATA.surfaces[surfaceKey].start],
      on: [...SHOWN_AT_FIRST],
      hyper: Object.fromEntries(R.OPTIMIZERS.map((o) => [o.name, settable(o)])),
      sigma: DATA.noise.sigma,
      seed: DATA.noise.seed,
      schedule: DATA.schedules[0].key,
      length: DATA.horizons[0],
      step: 0,
      ...VIEW_DEFAULTS,
      hide: [],
    };
  }

  /** The fragment (without "#") of a link to `config`: the surface, then only what differs from its defaults. */
  function encode(config) {
    const base = defaults(config.surface);
    const ordered = { ...config, on: NAMES.filter((n) => config.on.includes(n)), hide: HIDEABLE.filter((n) => config.hide.includes(n)) }; // one link for one race
    const differs = FIELDS.filter((f) => write(get(ordered, f.path)) !== write(get(base, f.path)));
    return [MARKER, ...[SURFACE, ...differs].map((f) => `${f.key}=${write(get(ordered, f.path))}`)].join("&");
  }

  // Set one field of `config` from the link's `params`, or keep its default and say why.
  function apply(config, field, params, problems) {
    if (!params.has(field.key)) return;
    const raw = params.get(field.key);
    const text = percentDecoded(raw);
    const result = text === null ? { error: `${quote(raw)} is not valid percent-encoding` } : field.parse(text, config);
    if (result.value !== undefined) set(config, field.path, result.value);
    if (result.error)
      problems.push(`${field.key}: ${result.error}${result.value === undefined ? `; the default ${show(get(config, field.path))} is used` : ""}.`);
  }

  /**
   * The race a fragment (with or without its "#") describes: {config,
   * problems, ours}, with a sentence in problems for each value that could
   * not be used. A fragment that is not a race link (ours is false), such as
   * a section anchor, gives the defaults and no problem.
   */
  function decode(fragment) {
    const text = String(fragment).replace(/^#/, "");
    if (text !== MARKER && !text.startsWith(MARKER + "&")) {
      // "race=" cannot be a section anchor: it is a race link in a format this version does not read.
      const problems = text.startsWith("race=") ? ["This link\u2019s race is in a format this page does not read; the defaults are used."] : [];
      return { config: defaults(), problems, ours: false };
    }
    if (text.length > MAX_FRAGMENT)
      return { config: defaults(), problems: [`This link\u2019s race is too long (${text.length} characters, at most ${MAX_FRAGMENT}); the defaults are used.`], ours: true };
    const params = new Map(); // not an object: keys such as "__proto__" are plain strings here
    for (const part of text.split("&")) {
      const eq = part.indexOf("=");
      // Keys are compared as written: the keys of a race are letters, digits, "_" and ".", which percent-encoding leaves alone.
      if (eq > 0) params.set(part.slice(0, eq), part.slice(eq + 1));
    }
    const problems = [];
    const first = defaults();
    apply(first, SURFACE, params, problems);
    const config = defaults(first.surface);
    for (const field of FIELDS) apply(config, field, params, problems);
    return { config, problems: problems.concat(unknownKeys(params)), ours: true };
  }

  Object.assign(R, { parseNumber, formatNumber, VIEW, HIDEABLE, SHOWN_AT_FIRST, share: { defaults, encode, decode } });
})();
