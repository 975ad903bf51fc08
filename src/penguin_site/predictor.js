// In-browser body-mass predictor: evaluates the chosen linear model from coefficients.json.
//
// Why this file exists: the model page imports it in its {ojs} cells and the tests run the
// very same file under Node.js, so what the reader's browser computes is what the tests
// compare with the Python model. No dependencies, nothing fetched: plain ES module.
//
// coefficients.json (written by the analysis package):
//   {"target", "unit", "intercept",
//    "numeric": {name: slope}, "categorical": {name: {level: offset}},
//    "inputs": {name: {min, max, step, default, label} | {levels, default, label}}}
// prediction = intercept + sum(numeric[k] * x[k]) + sum(categorical[c][x[c]])

/**
 * Predicted target value for one set of inputs.
 * Throws an Error naming the input when one is missing, not a finite number, or an
 * unknown category, so a wrong input can never turn into a silent NaN on the page.
 */
export function predict(coefficients, inputs) {
  let total = Number(coefficients.intercept);
  for (const [name, slope] of Object.entries(coefficients.numeric)) {
    const value = Number(inputs[name]);
    if (inputs[name] === undefined || inputs[name] === "" || !Number.isFinite(value)) {
      throw new Error(`input ${name} must be a number, got ${JSON.stringify(inputs[name])}`);
    }
    total += Number(slope) * value;
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

/** The value the page shows: whole units with thousands separators, e.g. "4,207 g". */
export function formatPrediction(value, unit) {
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
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
