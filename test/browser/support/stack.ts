import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type SpawnedAgent, spawnAgent } from "@listbill/agent";
import { type ApiProcess, startApiProcess } from "@listbill/bench/api-process";
import { type GenerateOptions, generateListManagerDatabase } from "@listbill/fixtures";
import { type Browser, chromium } from "playwright-core";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const WEB_DIR = join(REPO, "apps", "web");
export const WEB_DIST = join(WEB_DIR, "dist");
/** Screenshots of every page, for a person to look at; test-artifacts/ is git-ignored. */
export const ARTIFACTS = join(REPO, "test-artifacts", "browser");
export const ADMIN_PASSWORD = "browser-admin-password";

/** The newest modification time under a folder (sources, to tell whether the build is stale). */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the SPA when apps/web/dist is missing or older than its sources (about 2 s). */
export function ensureWebBuild(): void {
  const index = join(WEB_DIST, "index.html");
  const sourcesChanged = () => Math.max(newest(join(WEB_DIR, "src")), newest(join(WEB_DIR, "index.html")), newest(join(WEB_DIR, "vite.config.ts")));
  if (existsSync(index) && statSync(index).mtimeMs >= sourcesChanged()) return;
  const vite = join(WEB_DIR, "node_modules", "vite", "bin", "vite.js");
  // NODE_ENV=production even under vitest (which sets "test"): otherwise React's development build ships.
  const build = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: WEB_DIR, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
}

export interface HostingServer {
  name: string;
  /** Its ListManager database (SQLite), to check what the SPA shows against. */
  database: string;
  agent: SpawnedAgent;
}

/** A ListManager-shaped database generated afresh and served by a real listbill-agent process. */
export async function startHosting(name: string, shape: Omit<GenerateOptions, "target">, root: string): Promise<HostingServer> {
  const sqlitePath = join(root, `${name}.sqlite`);
  await generateListManagerDatabase({ target: { sqlitePath }, ...shape });
  return { name, database: sqlitePath, agent: await spawnAgent({ database: sqlitePath }) };
}

export interface Stack {
  api: ApiProcess;
  url: string;
  hosting: Record<string, HostingServer>;
  stop(): Promise<void>;
}

/**
 * The real thing: the built SPA served by a real API process on SQLite, and real agents over
 * TCP. Jobs are picked up at once so the browser waits on the work, not on a poll interval.
 */
export async function startStack(fixtures: Record<string, Omit<GenerateOptions, "target">>): Promise<Stack> {
  ensureWebBuild();
  const root = mkdtempSync(join(tmpdir(), "listbill-browser-"));
  const hosting: Record<string, HostingServer> = {};
  let api: ApiProcess | undefined;
  const stop = async () => {
    await api?.stop();
    await Promise.all(Object.values(hosting).map((server) => server.agent.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const [name, shape] of Object.entries(fixtures)) hosting[name] = await startHosting(name, shape, root);
    api = await startApiProcess({
      env: {
        LISTBILL_DATA_DIR: join(root, "api"),
        LISTBILL_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LISTBILL_JOB_POLL_MS: "50",
        LISTBILL_WORKER_CONCURRENCY: "2",
        LISTBILL_AGENT_CONNECT_TIMEOUT_MS: "2000",
        LISTBILL_AGENT_REQUEST_TIMEOUT_MS: "10000",
      },
    });
    // The API serves the built SPA and GraphQL on one port, as in production.
    return { api, url: api.url, hosting, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Debian's chromium, headless, with the flags proved on these machines (shared/STACK.md). */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
  });
}

/** Runs validateServers or syncServers on one server through the API and waits (up to a minute) for its job to succeed; its result. */
export async function runServerJob(stack: Stack, mutation: "validateServers" | "syncServers", serverId: string): Promise<Record<string, unknown>> {
  const input = mutation === "syncServers" ? "SyncServersInput" : "ValidateServersInput";
  const started = await stack.api.gql(`mutation($input: ${input}!) { ${mutation}(input: $input) { jobs { id } } }`, { input: { serverIds: [serverId] } });
  const jobId = started[mutation].jobs[0].id;
  for (const deadline = Date.now() + 60_000; ; ) {
    const { job } = await stack.api.gql(`query($id: ID!) { job(id: $id) { state error result } }`, { id: jobId });
    if (job.state === "SUCCEEDED") return job.result;
    if (job.state === "FAILED" || job.state === "CANCELLED") throw new Error(`${mutation} ended ${job.state}: ${job.error}`);
    if (Date.now() > deadline) throw new Error(`${mutation} still ${job.state} after a minute`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
