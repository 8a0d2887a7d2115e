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
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
/** In dependency order: the API's dist imports the protocol's. */
const PACKAGES = [join(root, "packages", "protocol"), join(root, "apps", "api")];
const STAMP = join(root, "apps", "api", "dist", ".build-stamp");
const LOCK = join(root, "apps", "api", ".build-lock");
/** A lock without a readable pid this old was left by a builder killed before writing it. */
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
  const built = statSync(STAMP, { throwIfNoEntry: false });
  return built !== undefined && existsSync(join(PACKAGES[0], "dist", "index.js")) && built.mtimeMs >= sourcesTime();
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function build() {
  // The stamp says what the build saw: a source saved while tsc runs is newer than it.
  const seen = sourcesTime();
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
  utimesSync(STAMP, new Date(seen), new Date(seen));
}

function lockPid() {
  try {
    const pid = Number(readFileSync(join(LOCK, "pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the builder holding the lock is gone (killed mid-build), so its lock no longer counts:
 * its process no longer exists, or, when it died before writing its pid, the lock is old.
 */
function lockAbandoned(pid) {
  if (pid === undefined) {
    const since = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs;
    return since !== undefined && Date.now() - since > LOCK_STALE_MS;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === "ESRCH";
  }
}

function buildUnderLock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const pid = lockPid();
      // Still the same dead holder just before removing: another waiter may have taken it meanwhile.
      if (lockAbandoned(pid) && lockPid() === pid) rmSync(LOCK, { recursive: true, force: true });
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
  // Fresh and nobody building: nothing to wait for.
  if (process.argv.includes("--if-stale") && !existsSync(LOCK) && fresh()) process.exit(0);
  buildUnderLock();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
