#!/usr/bin/env node
// `pnpm start`: builds the SPA when apps/web/dist is missing or older than its sources, then
// runs apps/api/src/start-demo.ts (demo agents, the API on the embedded database, the SPA on
// the same port). Works right after `pnpm install` on a fresh machine: no other step.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const web = join(root, "apps", "web");
const api = join(root, "apps", "api");

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const index = join(web, "dist", "index.html");
const sources = Math.max(newest(join(web, "src")), newest(join(web, "index.html")), newest(join(web, "vite.config.ts")), newest(join(web, "package.json")));
if (!existsSync(index) || statSync(index).mtimeMs < sources) {
  console.log("[start] building the web app (apps/web/dist)…");
  const build = spawnSync(process.execPath, [join(web, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"], {
    cwd: web,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// The data folder is the repository's ./data (or LISTBILL_DATA_DIR), wherever pnpm runs the API.
const env = { ...process.env, LISTBILL_DATA_DIR: resolve(root, process.env.LISTBILL_DATA_DIR ?? "data") };
const child = spawn(process.execPath, ["--import", "@oxc-node/core/register", join("src", "start-demo.ts")], { cwd: api, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
