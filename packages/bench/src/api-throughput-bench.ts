import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import autocannon from "autocannon";
import { type SeededApi, postGraphql } from "./api-seed.js";

export const LISTS_QUERY = "{ lists(first: 50) { nodes { id name memberCount server { name } customer { company } } } }";

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface ThroughputFigures {
  connections: number;
  seconds: number;
  /** Each round measures listbill, then raw: drift in the machine's load hits both sides alike. */
  rounds: { listbill: LoadFigures; raw: LoadFigures }[];
  /** The round with listbill's most requests a second, and the raw round with the most. */
  listbill: LoadFigures;
  raw: LoadFigures;
}

/**
 * `lists(first: 50)` over HTTP under autocannon (10 connections) against listbill, then against a
 * bare node:http + mysql2 handler (raw-lists-server.ts, its own process) reading the same MySQL
 * database: the ratio is listbill's share of the physical limit. Both answers are checked equal
 * first, so the raw handler cannot win by doing less.
 */
export async function runThroughputBench(seeded: SeededApi, options: { seconds: number; rounds?: number; connections?: number; log: (line: string) => void }): Promise<ThroughputFigures> {
  if (!seeded.databaseUrl) throw new Error("the throughput benchmark compares against mysql2: it needs MySQL");
  const connections = options.connections ?? 10;
  const raw = await startRawServer(seeded.databaseUrl);
  try {
    const listbillAnswer = (await postGraphql(seeded.api, LISTS_QUERY)).body;
    const rawAnswer = await (await fetch(raw.url, { method: "POST", body: JSON.stringify({ query: LISTS_QUERY }) })).json();
    if (JSON.stringify(listbillAnswer) !== JSON.stringify(rawAnswer)) {
      throw new Error(`the raw handler answers differently:\n${JSON.stringify(listbillAnswer).slice(0, 400)}\n${JSON.stringify(rawAnswer).slice(0, 400)}`);
    }
    const body = JSON.stringify({ query: LISTS_QUERY });
    const load = async (url: string, headers: Record<string, string>) => {
      // A short warm-up first: JIT, pools and caches reach their steady state before measuring.
      await cannon({ url, body, headers, connections, duration: 1 });
      return cannon({ url, body, headers, connections, duration: options.seconds });
    };
    const rounds: ThroughputFigures["rounds"] = [];
    for (let round = 1; round <= (options.rounds ?? 2); round++) {
      const listbill = await load(`${seeded.api.url}/graphql`, { "content-type": "application/json", authorization: `Bearer ${seeded.api.token}` });
      options.log(`  round ${round}: listbill ${listbill.requestsPerSecond.toFixed(0)} req/s, p99 ${listbill.p99Ms} ms`);
      const rawFigures = await load(raw.url, { "content-type": "application/json" });
      options.log(`  round ${round}: raw node:http + mysql2 ${rawFigures.requestsPerSecond.toFixed(0)} req/s, p99 ${rawFigures.p99Ms} ms`);
      rounds.push({ listbill, raw: rawFigures });
    }
    const best = (side: "listbill" | "raw") => rounds.map((round) => round[side]).reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    return { connections, seconds: options.seconds, rounds, listbill: best("listbill"), raw: best("raw") };
  } finally {
    await raw.stop();
  }
}

const answered = (body: string) => body.startsWith('{"data":') && !body.includes('"errors"');

async function cannon(options: { url: string; body: string; headers: Record<string, string>; connections: number; duration: number }): Promise<LoadFigures> {
  // A GraphQL failure still answers 200, with "errors" in its body: counted as an error, not as an answer.
  const result = await autocannon({ url: options.url, method: "POST", body: options.body, headers: options.headers, connections: options.connections, duration: options.duration, verifyBody: (body) => answered(String(body ?? "")) });
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: result.errors + result.non2xx + result.mismatches };
}

async function startRawServer(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "@oxc-node/core/register", join(import.meta.dirname, "raw-lists-server.ts"), databaseUrl], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout!.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (text: string) => {
      output += text;
      const match = /raw lists server at (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the raw lists server exited (${code}): ${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

export function throughputReport(machine: string, figures: ThroughputFigures, seed: string): string {
  const { listbill, raw } = figures;
  const ratio = listbill.requestsPerSecond / raw.requestsPerSecond;
  const row = (name: string, f: LoadFigures) => `| ${name} | ${f.requestsPerSecond.toFixed(0)} | ${f.p50Ms} ms | ${f.p99Ms} ms | ${f.errors} |`;
  const rounds = figures.rounds.flatMap((round, index) => [row(`listbill, round ${index + 1}`, round.listbill), row(`raw, round ${index + 1}`, round.raw)]);
  return [
    machine,
    "",
    `\`${LISTS_QUERY}\` over HTTP, autocannon with ${figures.connections} connections for ${figures.seconds} s (after 1 s of warm-up) in the benchmark's process, in ${figures.rounds.length} rounds of listbill then raw; the ratio takes each side's best round. listbill: an API process as deployed (compiled, run by start:prod; API token, rate limiting, no SQL counting). Raw: a node:http + mysql2 handler in its own process answering the same JSON (checked equal) from the same MySQL database with one query, without GraphQL, authentication or rate limiting. ${seed}`,
    "",
    "| server | req/s | p50 | p99 | errors |",
    "|---|---|---|---|---|",
    ...rounds,
    "",
    `listbill ÷ raw: **${ratio.toFixed(2)}** (goal at least 0.5); listbill's p99 ${listbill.p99Ms} ms (goal at most 40 ms).`,
  ].join("\n");
}
