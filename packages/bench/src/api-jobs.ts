import { setTimeout as sleep } from "node:timers/promises";
import type { ApiProcess } from "./api-process.js";

export const JOB_FIELDS = "id kind state progress error result attempts createdAt startedAt finishedAt server { id name }";

export interface JobView {
  id: string;
  kind: string;
  state: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  progress: number;
  error: string | null;
  result: Record<string, any> | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  server: { id: string; name: string } | null;
}

export const FINISHED_STATES: readonly string[] = ["SUCCEEDED", "FAILED", "CANCELLED"];

/** Registers an agent as a hosting server; returns its ID. */
export async function createServer(api: ApiProcess, input: { name: string; port: number; hostName?: string; password?: string }): Promise<string> {
  const { createServer: payload } = await api.gql(`mutation($input: CreateServerInput!) { createServer(input: $input) { server { id } userErrors { code message } } }`, {
    input: { hostName: "127.0.0.1", ...input },
  });
  if (payload.userErrors.length) throw new Error(`createServer refused: ${JSON.stringify(payload.userErrors)}`);
  return payload.server.id;
}

/** Asks for validation or sync of the given servers (or all of them); returns the jobs' IDs. */
export async function startJobs(api: ApiProcess, mutation: "validateServers" | "syncServers", input: { serverIds: string[] } | { all: true }): Promise<string[]> {
  const inputType = mutation === "validateServers" ? "ValidateServersInput" : "SyncServersInput";
  const data = await api.gql(`mutation($input: ${inputType}!) { ${mutation}(input: $input) { jobs { id } userErrors { code message } } }`, { input });
  const payload = data[mutation];
  if (payload.userErrors.length) throw new Error(`${mutation} refused: ${JSON.stringify(payload.userErrors)}`);
  return payload.jobs.map((job: { id: string }) => job.id);
}

/** Polls job(id) until the job has finished; `pollMs` bounds how late the end is noticed. */
export async function waitForJob(api: ApiProcess, id: string, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<JobView> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const { job } = await api.gql(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id });
    if (!job) throw new Error(`job ${id} does not exist`);
    if (FINISHED_STATES.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} after ${options.timeoutMs ?? 60_000} ms`);
    await sleep(options.pollMs ?? 40);
  }
}
