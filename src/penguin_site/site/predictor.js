// In-browser predictor of the study's target: evaluates the chosen linear model from
// coefficients.json.
//
// Why this file exists: the model page loads it as a plain ES module (no Observable runtime,
// nothing fetched from another host) and the tests run the very same file under Node.js, so
// what the reader's browser computes is what the tests compare with the Python model.
//
// coefficients.json (written by the analysis package):
//   {"target", "unit", "intercept",
//    "rows": {plural, short_plural}, "group_order": [categorical input, ...],
//    "numeric": {name: slope}, "categorical": {name: {level: offset}},
//    "inputs": {name: {min, max, step, default, label, groups: [{<category>: level, ...,
//                                                               n, min, median, max}]}
//                    | {levels, label}}}
// prediction = intercept + sum(numeric[k] * x[k]) + sum(categorical[c][x[c]])
//
// The page (penguin_site.site.pages.predictor_html) writes the form, its labels and the
// coefficients (JSON, in the form's data-coefficients attribute); mount() below only wires
// the form to these functions.

/**
 * Predicted target value for one set of inputs.
 * Throws an Error naming the input when one is missing, not a finite number, or an
 * unknown category, so a wrong input can never turn into a silent NaN on the page.
 */
export function predict(coefficients, inputs) {
  let total = Number(coefficients.intercept);
  for (const [name, slope] of Object.entries(coefficients.numeric)) {
    total += Number(slope) * numberInput(inputs, name);
  }
  for (const [name, levels] of Object.entries(coefficients.categorical)) {
    const level = inputs[name];
    if (!Object.prototype.hasOwnProperty.call(levels, level)) {
      const known = Object.keys(levels).join(", ");
      throw new Error(`input ${name} must be one of ${known}, got ${JSON.stringify(level)}`);
    }
    total += Number(levels[level]);
  }
  return total;
}

function numberInput(inputs, name) {
  const raw = inputs[name];
  const value = typeof raw === "string" ? Number(raw.trim()) : Number(raw);
  if (raw === undefined || raw === null || String(raw).trim() === "" || !Number.isFinite(value)) {
    throw new Error(`input ${name} must be a number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The value the page shows: whole units with thousands separators ("4,207 kg"). */
export function formatPrediction(value, unit) {
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/gu, ",");
  return `${rounded < 0 ? "-" : ""}${digits} ${unit}`;
}

/** The input values the page starts with: each input's "default", else its first level. */
export function defaultInputs(coefficients) {
  const values = {};
  for (const [name, spec] of Object.entries(coefficients.inputs)) {
    if (spec.default !== undefined) {
      values[name] = spec.default;
    } else {
      values[name] = (spec.levels || levelsOf(coefficients, name))[0];
    }
  }
  return values;
}

/** Category levels in the order the coefficients list them (the reference level first). */
export function levelsOf(coefficients, name) {
  return Object.keys(coefficients.categorical[name]);
}

/**
 * The training-data group of a numeric input that matches the chosen categories
 * (the lengths of one group's rows, say: n, min, median, max), or null.
 */
export function typicalRange(coefficients, name, inputs) {
  const groups = coefficients.inputs[name].groups || [];
  const categories = Object.keys(coefficients.categorical);
  return groups.find((group) => categories.every((c) => group[c] === inputs[c])) || null;
}

/**
 * Who a group is: the chosen levels in the model's group_order, then the rows' plural
 * noun ("<level> <level> <rows>"), or the plural alone when there is no category.
 */
export function groupName(coefficients, inputs) {
  const order = (coefficients.group_order || []).filter((c) => c in coefficients.categorical);
  const rest = Object.keys(coefficients.categorical).filter((c) => !order.includes(c));
  const words = [...order, ...rest].map((c) => inputs[c]);
  return [...words, rowNouns(coefficients).plural].join(" ");
}

/** How the model's rows are named: {plural, short_plural} ("rows" when it does not say). */
function rowNouns(coefficients) {
  const rows = coefficients.rows || {};
  return { plural: rows.plural || "rows", short_plural: rows.short_plural || rows.plural || "rows" };
}

/**
 * What the reader should know about the inputs beside the prediction: the typical range
 * of each numeric input for the chosen group and, when a value lies outside the training
 * data of that group, a warning that the model extrapolates. Returns {typical, warning}.
 */
export function describeInputs(coefficients, inputs) {
  const typical = [];
  const outside = [];
  for (const name of Object.keys(coefficients.numeric)) {
    const group = typicalRange(coefficients, name, inputs);
    if (!group) continue;
    const spec = coefficients.inputs[name];
    const what = spec.label.replace(/\s*\(.*\)$/, "").toLowerCase();
    const unit = (spec.label.match(/\(([^)]+)\)$/) || [null, ""])[1];
    typical.push(
      `${capitalise(groupName(coefficients, inputs))} in the data ` +
        `(${group.n} ${rowNouns(coefficients).short_plural}) have a ` +
        `${what} of ${fixed(group.min)}–${fixed(group.max)} ${unit} (median ${fixed(group.median)} ${unit}).`,
    );
    const value = Number(inputs[name]);
    if (value < group.min || value > group.max) {
      outside.push(
        `${fixed(value)} ${unit} is outside that range: the prediction extrapolates ` +
          `beyond the ${rowNouns(coefficients).short_plural} the model was fitted on, so treat ` +
          `it with caution.`,
      );
    }
  }
  return { typical: typical.join(" "), warning: outside.join(" ") };
}

function fixed(value) {
  return Number(value).toFixed(1);
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Wire one predictor form (the element holding [data-predictor]) to the model.
 * Reads the coefficients from the form's data-coefficients attribute (JSON), keeps
 * the range slider and the number box in step, and shows the prediction, the typical
 * range and any warning in live regions a screen reader announces.
 */
export function mount(root) {
  const coefficients = JSON.parse(root.dataset.coefficients);
  const field = (name) => root.querySelector(`[name='${name}']`);
  const slider = root.querySelector("[data-predictor-slider]");
  const shown = root.querySelector("[data-predictor-result]");
  const typical = root.querySelector("[data-predictor-typical]");
  const warning = root.querySelector("[data-predictor-warning]");

  const update = () => {
    const inputs = {};
    for (const name of Object.keys(coefficients.inputs)) inputs[name] = field(name).value;
    try {
      shown.textContent = formatPrediction(predict(coefficients, inputs), coefficients.unit);
      const words = describeInputs(coefficients, inputs);
      typical.textContent = words.typical;
      warning.textContent = words.warning;
      warning.hidden = !words.warning;
    } catch (error) {
      const [name] = Object.keys(coefficients.numeric);
      const spec = coefficients.inputs[name];
      shown.textContent = "–";
      warning.textContent =
        `Enter the ${spec.label.toLowerCase()} as a number, for example ${fixed(spec.default)}, ` +
        `to see a prediction.`;
      warning.hidden = false;
    }
  };

  if (slider) {
    const box = field(slider.dataset.predictorSlider);
    slider.addEventListener("input", () => {
      box.value = slider.value;
      update();
    });
    box.addEventListener("input", () => {
      if (box.value.trim() !== "" && Number.isFinite(Number(box.value))) slider.value = box.value;
    });
  }
  root.addEventListener("input", update);
  root.addEventListener("change", update);
  root.addEventListener("submit", (event) => event.preventDefault());
  update();
}

if (typeof document !== "undefined") {
  for (const root of document.querySelectorAll("[data-predictor]")) mount(root);
}
