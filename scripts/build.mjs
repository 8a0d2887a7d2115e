#!/usr/bin/env node
// `pnpm build`: compiles the API and the protocol package it imports to JavaScript (dist/), the
// way listbill runs in production: `pnpm --filter @listbill/api start:prod`, which is
// `node --conditions=listbill-dist dist/main.js` (the condition points @listbill/protocol at its
// dist/ rather than its TypeScript sources). No TypeScript loader runs in that process: it starts
// faster and holds about 100 MB less than `node --import @oxc-node/core/register src/main.ts`.
//
// `--if-stale` builds only when a source is newer than the last build; concurrent callers (test
// files starting API processes at once) wait for one build under a lock rather than racing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
/** In dependency order: the API's dist imports the protocol's. */
const PACKAGES = [join(root, "packages", "protocol"), join(root, "apps", "api")];
const STAMP = join(root, "apps", "api", "dist", ".build-stamp");
const LOCK = join(root, "apps", "api", ".build-lock");
const LOCK_STALE_MS = 120_000;
const tsc = join(createRequire(join(root, "package.json")).resolve("typescript/package.json"), "..", "bin", "tsc");

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function sourcesTime() {
  const inputs = PACKAGES.flatMap((dir) => ["src", "package.json", "tsconfig.json", "tsconfig.build.json"].map((name) => join(dir, name)));
  return Math.max(newest(join(root, "tsconfig.base.json")), ...inputs.map(newest));
}

function fresh() {
  return existsSync(STAMP) && statSync(STAMP).mtimeMs >= sourcesTime();
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function build() {
  for (const dir of PACKAGES) {
    const out = join(dir, "dist");
    const next = join(dir, "dist.next");
    rmSync(next, { recursive: true, force: true });
    const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", "dist.next"], { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) {
      rmSync(next, { recursive: true, force: true });
      throw new Error(`tsc failed in ${dir}:\n${result.stdout}${result.stderr}`);
    }
    rmSync(out, { recursive: true, force: true });
    renameSync(next, out);
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

function buildUnderLock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A builder killed mid-way leaves its lock: after two minutes it no longer counts.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      sleep(100);
    }
  }
  try {
    // Another caller may have built while this one waited.
    if (!process.argv.includes("--if-stale") || !fresh()) build();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

try {
  if (process.argv.includes("--if-stale") && fresh()) process.exit(0);
  buildUnderLock();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
