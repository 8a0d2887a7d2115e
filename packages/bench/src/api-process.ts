import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The API's package folder, found through the workspace link rather than a path relative to
 * this file. The child runs its compiled entry point there, as in production (`start:prod`).
 */
const API_DIR = dirname(dirname(createRequire(import.meta.url).resolve("@listbill/api")));

const READY = /listbill API ready at (\S+)\/graphql/;
const EXIT_WITH_PARENT = pathToFileURL(join(import.meta.dirname, "exit-with-parent.mjs")).href;

export interface ApiProcessOptions {
  /** DATABASE_URL, LISTBILL_DATA_DIR, LISTBILL_SECRET_KEY, LISTBILL_ADMIN_PASSWORD, job settings… */
  env: Record<string, string>;
  /** Arguments for node itself, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]. */
  nodeArgs?: readonly string[];
  /**
   * An API token to send. Tokens live in the database, so a token issued by one process works
   * on every process sharing it; absent, the first admin signs in with LISTBILL_ADMIN_PASSWORD
   * and issues one.
   */
  token?: string;
  /** How long start-up (migrations included) may take. */
  readyTimeoutMs?: number;
  /** The apps/api folder of the checkout to run (default: this one's); see ensureApiBuild. */
  apiDir?: string;
}

export interface ApiMemory {
  /** Resident set size now. */
  rssBytes: number;
  /** The highest resident set size since the process started (VmHWM). */
  peakRssBytes: number;
}

export interface ApiProcess {
  /** http://host:port, without /graphql. */
  url: string;
  pid: number;
  /** The bearer token gql() sends. */
  token: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** POST /graphql as the token's user; GraphQL errors are thrown with the server's words. */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  memory(): ApiMemory;
  /** Signals the process and waits for it to exit: SIGTERM closes it cleanly, SIGKILL is a crash. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, escalating to SIGKILL when the process has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The settings of a benchmark's API process: its data folder, a fresh secret key, the bench
 * admin's password, a short job poll, and MySQL when a scratch database's URL is given.
 */
export function benchApiEnv(dataDir: string, databaseUrl?: string): Record<string, string> {
  return {
    LISTBILL_DATA_DIR: dataDir,
    LISTBILL_SECRET_KEY: randomBytes(24).toString("hex"),
    LISTBILL_ADMIN_PASSWORD: "bench-admin-password",
    LISTBILL_JOB_POLL_MS: "50",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

/** The embedded SQLite database of an API process run with benchApiEnv(dataDir) and no MySQL (apps/api/src/db/data-source.ts). */
export const apiSqliteFile = (dataDir: string) => join(dataDir, "listbill.sqlite");

/**
 * Compiles the API of a checkout (its scripts/build.mjs) when its sources are newer than its
 * dist/: about 1 s, once; callers in parallel wait for one build.
 */
export function ensureApiBuild(apiDir: string = API_DIR): void {
  const build = spawnSync(process.execPath, [join(apiDir, "..", "..", "scripts", "build.mjs"), "--if-stale"], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`building the API in ${apiDir} failed:\n${build.stdout}${build.stderr}`);
}

/**
 * The flags `start:prod` gives node (`node <flags> dist/main.js` in the API's package.json), so
 * that a benchmark runs the API as deployed, and a checkout compared with --against runs with its own.
 */
export function productionNodeFlags(apiDir: string = API_DIR): string[] {
  const scripts = (JSON.parse(readFileSync(join(apiDir, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  const command = /^node((?:\s+--\S+)*)\s+dist\/main\.js$/.exec(scripts["start:prod"]?.trim() ?? "");
  if (!command) throw new Error(`${join(apiDir, "package.json")}: start:prod is not "node [--flags] dist/main.js" (${JSON.stringify(scripts["start:prod"])})`);
  return command[1]!.trim().split(/\s+/).filter(Boolean);
}

/**
 * Starts @listbill/api as deployed, `node <start:prod's flags> dist/main.js` (built first
 * when stale), as a child process and waits for its ready line.
 */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const apiDir = options.apiDir ?? API_DIR;
  ensureApiBuild(apiDir);
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", LISTBILL_RATE_LIMIT_PER_MINUTE: "1000000", ...options.env };
  // An inherited DATABASE_URL would point the child somewhere the caller did not choose.
  if (!("DATABASE_URL" in options.env)) delete env.DATABASE_URL;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...productionNodeFlags(apiDir), "--import", EXIT_WITH_PARENT, join(apiDir, "dist", "main.js")], { cwd: apiDir, env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (output += text));
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (output += text));
  const exited = once(child, "exit").then(() => undefined);

  let url: string;
  try {
    url = await readyUrl(child, () => output, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    throw error;
  }

  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    const token = options.token ?? (await issueAdminToken(url, options.env.LISTBILL_ADMIN_PASSWORD));
    return {
      url,
      pid: child.pid!,
      token,
      output: () => output,
      gql: (query, variables = {}) => graphql(url, query, variables, { authorization: `Bearer ${token}` }).then(dataOf),
      memory: () => processMemory(child.pid!),
      kill,
      async stop(graceMs = 15_000) {
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await kill("SIGTERM");
        clearTimeout(timer);
      },
    };
  } catch (error) {
    await kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n--- API output ---\n${output}`);
  }
}

function readyUrl(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the API printed no ready line within ${timeoutMs} ms`)), timeoutMs);
    const onData = () => {
      const match = READY.exec(output());
      if (!match) return;
      cleanUp();
      resolve(match[1]!);
    };
    const onExit = (code: number | null, signal: string | null) => fail(new Error(`the API exited (${signal ?? `code ${code}`}) before it was ready`));
    const fail = (error: Error) => {
      cleanUp();
      reject(new Error(`${error.message}\n--- API output ---\n${output()}`));
    };
    const cleanUp = () => {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
}

interface GraphQLBody {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<{ body: GraphQLBody; response: Response }> {
  const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  try {
    return { body: JSON.parse(text) as GraphQLBody, response };
  } catch {
    throw new Error(`${url}/graphql answered ${response.status} with no JSON: ${text.slice(0, 200)}`);
  }
}

function dataOf({ body }: { body: GraphQLBody }): any {
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Signs the first admin in (session cookie) and has it issue an API token for scripts. */
async function issueAdminToken(url: string, password: string | undefined): Promise<string> {
  if (!password) throw new Error("LISTBILL_ADMIN_PASSWORD must be set to sign in to a started API");
  const login = await graphql(url, `mutation($input: LoginInput!) { login(input: $input) { user { id } userErrors { code message } } }`, { input: { username: "admin", password } }, {});
  const cookie = login.response.headers.get("set-cookie")?.split(";")[0];
  const userId: string | undefined = dataOf(login).login.user?.id;
  if (!cookie || !userId) throw new Error(`the admin could not sign in: ${JSON.stringify(login.body)}`);
  const issued = dataOf(
    await graphql(url, `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token userErrors { code message } } }`, { input: { userId, name: "bench and e2e harness" } }, { cookie }),
  ).createApiToken;
  if (!issued.token) throw new Error(`no API token was issued: ${JSON.stringify(issued.userErrors)}`);
  return issued.token;
}

/** VmRSS and VmHWM of a live process, from /proc (Linux). */
export function processMemory(pid: number): ApiMemory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib("VmRSS"), peakRssBytes: kib("VmHWM") };
}
