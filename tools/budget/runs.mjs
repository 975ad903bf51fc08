// Lighthouse runs, one after another, in one Chrome: what `lighthouse URL` does per run,
// without a new Node process and a new Chrome for each (about 5 s of a 13 s run here).
//
//   node runs.mjs JOBS.json
//
// JOBS.json: {"chromeFlags": [...], "categories": [...], "jobs": [{"url", "preset", "out"}]}.
// Each job's report (Lighthouse's JSON result, `lhr`) is written to its `out`. `preset` is
// "desktop" (Lighthouse's desktop config, as `--preset=desktop`) or "mobile" (its default).
// Chrome comes from CHROME_PATH, as for the CLI. Every run starts from cleared storage and
// cache (Lighthouse's default), so sharing the browser does not warm the next run.
import { readFile, writeFile } from "node:fs/promises";

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const { chromeFlags, categories, jobs } = JSON.parse(await readFile(process.argv[2], "utf8"));
const chrome = await chromeLauncher.launch({ chromeFlags });
try {
  for (const { url, preset, out } of jobs) {
    const flags = {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: categories,
      // The full-page screenshot only illustrates the HTML report, which is not kept.
      disableFullPageScreenshot: true,
    };
    const result = await lighthouse(url, flags, preset === "desktop" ? desktopConfig : undefined);
    await writeFile(out, JSON.stringify(result.lhr));
  }
} finally {
  await chrome.kill();
}
