#!/usr/bin/env node
// Runs the whole vitest suite and closes with the plain summary line CI reads:
// "N passed, N failed, N skipped". vitest's own summary is not in that form.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const resultsFile = join(root, ".vitest-results.json");
rmSync(resultsFile, { force: true });

const vitest = spawnSync(
  "pnpm",
  ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${resultsFile}`, ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, "utf8"));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  skipped = results.numPendingTests + results.numTodoTests;
  // A file that failed to load counts as a failure even though it ran no test.
  const brokenFiles = results.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length;
  failed += brokenFiles;
}
const code = vitest.status ?? 1;
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code);
