import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnAgent } from "@listbill/agent";
import { createScratchDatabase } from "@listbill/fixtures/testing";
import { DEFAULT_AGENT_PASSWORD, HostingClient, type HostingList, type MemberCounts, nameKey } from "@listbill/protocol";
import mysql from "mysql2/promise";
import { FINISHED_STATES, JOB_FIELDS, type JobView, createServer, startJobs } from "./api-jobs.js";
import { type ApiProcess, benchApiEnv, startApiProcess } from "./api-process.js";
import { cachedFixture } from "./fixture-cache.js";
import { type UsageFigures, runUsageBench, usageReport } from "./usage-bench.js";

export interface SyncBenchOptions {
  /** Lists of the inventory fixture (~10 members each). */
  lists: number;
  /** log_ rows of the log fixture (on 1,000 lists). */
  logRows: number;
  mysqlUrl: string;
  log: (line: string) => void;
}

export interface WriteFigures {
  rows: number;
  ms: number;
}

export interface SyncFigures {
  lists: number;
  logRows: number;
  inventory: { listbill: WriteFigures; raw: WriteFigures };
  logImport: { listbill: WriteFigures; raw: WriteFigures; peakRssBytes: number; startupPeakRssBytes: number };
  usage: UsageFigures;
}

const CHUNK = 500;
const LOG_CHUNK = 1000;

/**
 * Rows a second through listbill's sync job against the physical limit: a bare HostingClient
 * streaming the same records from the same agent and mysql2 writing the same rows into the same
 * tables with multi-row upserts, in the same chunks and transactions (inventory: one transaction
 * of list upserts, member-count snapshots and audit entries; log: one transaction per 1,000 rows
 * with the high-water mark). The raw writer runs first, as its own server in the same database.
 */
export async function runSyncBench(options: SyncBenchOptions): Promise<SyncFigures> {
  const inventoryFixture = await cachedFixture({ lists: options.lists, membersPerList: 10, sites: 2, seed: 7 }, options.log);
  const logFixture = await cachedFixture({ lists: 1000, membersPerList: 1, sites: 2, seed: 7, logRows: options.logRows }, options.log);
  const dataDir = mkdtempSync(join(tmpdir(), "listbill-bench-"));
  const scratch = await createScratchDatabase(options.mysqlUrl, "lbbench");
  const inventoryAgent = await spawnAgent({ database: inventoryFixture });
  const logAgent = await spawnAgent({ database: logFixture });
  const pool = mysql.createPool({ uri: scratch.url, connectionLimit: 2, timezone: "Z", supportBigNumbers: true });
  let api: ApiProcess | undefined;
  try {
    api = await startApiProcess({
      env: benchApiEnv(dataDir, scratch.url),
    });
    const rawInventory = await rawInventorySync(pool, inventoryAgent);
    options.log(`  raw inventory: ${rawInventory.rows} lists in ${rawInventory.ms.toFixed(0)} ms`);
    const inventoryServer = await createServer(api, { name: "Inventory", port: inventoryAgent.port });
    const inventoryJob = await timedSync(api, inventoryServer);
    // The inventory fixture has no log rows: the whole job is the inventory.
    const listbillInventory = { rows: Number(inventoryJob.job.result?.listsWritten), ms: inventoryJob.wallMs };
    options.log(`  listbill inventory: ${listbillInventory.rows} lists in ${listbillInventory.ms.toFixed(0)} ms`);

    const rawLog = await rawLogImport(pool, logAgent);
    options.log(`  raw log import: ${rawLog.rows} rows in ${rawLog.ms.toFixed(0)} ms`);
    const startupPeakRssBytes = api.memory().peakRssBytes;
    const logServer = await createServer(api, { name: "Log", port: logAgent.port });
    const logJob = await timedSync(api, logServer);
    const listbillLog = { rows: Number(logJob.job.result?.logRowsImported), ms: logJob.logMs };
    options.log(`  listbill log import: ${listbillLog.rows} rows in ${listbillLog.ms.toFixed(0)} ms`);
    for (const [name, figures, expected] of [["inventory", listbillInventory, options.lists], ["log import", listbillLog, options.logRows], ["raw log import", rawLog, options.logRows]] as const) {
      if (figures.rows !== expected) throw new Error(`${name} wrote ${figures.rows} rows, not ${expected}`);
    }
    const peakRssBytes = api.memory().peakRssBytes;
    const usage = await runUsageBench(api, pool, logServer);
    for (const query of [usage.raw, ...usage.queries]) options.log(`  ${query.what}: ${query.ms.toFixed(0)} ms`);
    return {
      lists: options.lists,
      logRows: options.logRows,
      inventory: { listbill: listbillInventory, raw: rawInventory },
      logImport: { listbill: listbillLog, raw: rawLog, peakRssBytes, startupPeakRssBytes },
      usage,
    };
  } finally {
    await api?.stop();
    await pool.end();
    await Promise.all([inventoryAgent.stop(), logAgent.stop()]);
    await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * A sync job, timed whole and from the moment its progress reaches 0.8 (the runner's share for
 * the inventory; a first sync gets there once 1,000 lists are seen) to its end: the log import.
 */
async function timedSync(api: ApiProcess, serverId: string): Promise<{ job: JobView; wallMs: number; logMs: number }> {
  const started = performance.now();
  const [id] = await startJobs(api, "syncServers", { serverIds: [serverId] });
  let inventoryDone: number | undefined;
  for (;;) {
    const { job } = (await api.gql(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id })) as { job: JobView };
    const now = performance.now();
    if (inventoryDone === undefined && (job.progress >= 0.8 || FINISHED_STATES.includes(job.state))) inventoryDone = now;
    if (FINISHED_STATES.includes(job.state)) {
      if (job.state !== "SUCCEEDED") throw new Error(`sync ${job.state}: ${job.error}`);
      return { job, wallMs: now - started, logMs: now - inventoryDone! };
    }
    await sleep(20);
  }
}

function connect(agent: { host: string; port: number }): Promise<HostingClient> {
  return HostingClient.connect({ host: agent.host, port: agent.port, password: DEFAULT_AGENT_PASSWORD });
}

async function newServerRow(pool: mysql.Pool, name: string): Promise<number> {
  const [result] = await pool.query<mysql.ResultSetHeader>("INSERT INTO server (name, nameKey, hostName, createdAt, updatedAt) VALUES (?, ?, '127.0.0.1', NOW(3), NOW(3))", [name, name.toLowerCase()]);
  return result.insertId;
}

const values = (rows: unknown[][]) => rows.map((row) => `(${row.map(() => "?").join(", ")})`).join(", ");

async function rawInventorySync(pool: mysql.Pool, agent: { host: string; port: number }): Promise<WriteFigures> {
  const serverId = await newServerRow(pool, "Raw inventory");
  const started = performance.now();
  const client = await connect(agent);
  const db = await pool.getConnection();
  let rows = 0;
  try {
    await db.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    await db.beginTransaction();
    const now = new Date();
    const sites: unknown[][] = [];
    for await (const site of client.sites()) sites.push([serverId, site.name, nameKey(site.name), site.hostName, site.title, null, now, now]);
    await db.query(`INSERT INTO site (serverId, name, nameKey, hostName, description, removedAt, createdAt, updatedAt) VALUES ${values(sites)} ON DUPLICATE KEY UPDATE name = VALUES(name), hostName = VALUES(hostName), description = VALUES(description), removedAt = VALUES(removedAt), updatedAt = VALUES(updatedAt)`, sites.flat());
    const [siteRows] = await db.query<mysql.RowDataPacket[]>("SELECT id, nameKey FROM site WHERE serverId = ?", [serverId]);
    const siteIds = new Map(siteRows.map((row) => [row.nameKey as string, row.id as number]));
    let chunk: { list: HostingList; counts: MemberCounts }[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const listRows = chunk.map(({ list, counts }) => [
        serverId, list.site ? (siteIds.get(nameKey(list.site)) ?? null) : null, list.name, nameKey(list.name), list.description, list.topic, list.disabled ? 1 : 0, list.maxMembers,
        counts.normal + counts.held, [counts.normal, counts.held, counts.unsub, counts.confirm, counts.private, counts.expired, counts.other].join(","), list.created ? new Date(list.created) : null, null, now, now,
      ]);
      await db.query(
        `INSERT INTO list (serverId, siteId, name, nameKey, description, topic, disabled, maxMembers, memberCount, memberCounts, hostCreatedAt, removedAt, createdAt, updatedAt) VALUES ${values(listRows)}
         ON DUPLICATE KEY UPDATE siteId = VALUES(siteId), name = VALUES(name), description = VALUES(description), topic = VALUES(topic), disabled = VALUES(disabled), maxMembers = VALUES(maxMembers),
           hostCreatedAt = VALUES(hostCreatedAt), removedAt = VALUES(removedAt), updatedAt = VALUES(updatedAt), memberCount = VALUES(memberCount), memberCounts = VALUES(memberCounts)`,
        listRows.flat(),
      );
      const [ids] = await db.query<mysql.RowDataPacket[]>("SELECT id, nameKey FROM list WHERE serverId = ? AND nameKey IN (?)", [serverId, chunk.map(({ list }) => nameKey(list.name))]);
      const listIds = new Map(ids.map((row) => [row.nameKey as string, row.id as number]));
      const snapshots = chunk.map(({ list, counts }) => [listIds.get(nameKey(list.name)), now, counts.normal, counts.held, counts.unsub, counts.confirm, counts.private, counts.expired, counts.other]);
      await db.query(`INSERT INTO list_member_count (listId, takenAt, normal, held, unsub, confirm, private, expired, other) VALUES ${values(snapshots)}`, snapshots.flat());
      const audit = chunk.map(({ list }) => [now, null, "job:raw", "sync.list.create", "List", null, list.name, null, JSON.stringify({ name: list.name, site: list.site, topic: list.topic, description: list.description, disabled: list.disabled, maxMembers: list.maxMembers })]);
      await db.query(`INSERT INTO audit_entry (at, actor, requestId, action, objectType, objectId, objectKey, \`before\`, \`after\`) VALUES ${values(audit)}`, audit.flat());
      rows += chunk.length;
      chunk = [];
    };
    for await (const list of client.lists({ withMemberCounts: true })) {
      chunk.push({ list, counts: list.memberCounts! });
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
    await db.commit();
  } finally {
    db.release();
    await client.close();
  }
  return { rows, ms: performance.now() - started };
}

async function rawLogImport(pool: mysql.Pool, agent: { host: string; port: number }): Promise<WriteFigures> {
  const serverId = await newServerRow(pool, "Raw log");
  const started = performance.now();
  const client = await connect(agent);
  let highWater = 0;
  let rows = 0;
  const read = async (afterId: number) => {
    const entries = [];
    for await (const entry of client.logEntries({ afterId, limit: LOG_CHUNK })) entries.push(entry);
    return entries;
  };
  try {
    // As the API does: the next chunk is read while this one commits.
    let reading = read(highWater);
    for (;;) {
      const entries = await reading;
      if (entries.length === 0) break;
      reading = entries.length < LOG_CHUNK ? Promise.resolve([]) : read(entries[entries.length - 1]!.id);
      reading.catch(() => undefined);
      const db = await pool.getConnection();
      try {
        await db.beginTransaction();
        const keys = [...new Set(entries.map((entry) => entry.list).filter((list): list is string => Boolean(list)).map(nameKey))];
        const [lists] = keys.length ? await db.query<mysql.RowDataPacket[]>("SELECT id, nameKey FROM list WHERE serverId = ? AND nameKey IN (?)", [serverId, keys]) : [[]];
        const listIds = new Map((lists as mysql.RowDataPacket[]).map((row) => [row.nameKey as string, row.id as number]));
        const now = new Date();
        const logRows = entries.map((entry) => [
          serverId, entry.id, 0, entry.list ? (listIds.get(nameKey(entry.list)) ?? null) : null, entry.list, entry.site, new Date(entry.created),
          entry.byteCount, entry.recipientCount, entry.outmailId, entry.subsetId, entry.source, entry.title, now,
        ]);
        for (let offset = 0; offset < logRows.length; offset += CHUNK) {
          const slice = logRows.slice(offset, offset + CHUNK);
          await db.query(
            `INSERT IGNORE INTO message_log (serverId, remoteLogId, logEpoch, listId, listName, siteName, sentAt, byteCount, recipientCount, outmailId, subsetId, source, title, importedAt) VALUES ${values(slice)}`,
            slice.flat(),
          );
        }
        const next = entries[entries.length - 1]!.id;
        await db.query("UPDATE server SET logHighWater = ? WHERE id = ? AND logHighWater = ?", [next, serverId, highWater]);
        await db.commit();
        highWater = next;
      } finally {
        db.release();
      }
      rows += entries.length;
    }
  } finally {
    await client.close();
  }
  return { rows, ms: performance.now() - started };
}

export function syncReport(machine: string, figures: SyncFigures): string {
  const perSecond = (f: WriteFigures) => Math.round(f.rows / (f.ms / 1000)).toLocaleString("en");
  const row = (what: string, pair: { listbill: WriteFigures; raw: WriteFigures }) =>
    `| ${what} | ${pair.listbill.rows.toLocaleString("en")} | ${(pair.listbill.ms / 1000).toFixed(2)} s | ${perSecond(pair.listbill)} | ${perSecond(pair.raw)} | **${(pair.raw.ms / pair.listbill.ms).toFixed(2)}** |`;
  return [
    machine,
    "",
    "Rows a second written by listbill's sync job against a raw writer: a bare HostingClient streaming the same records from the same agent, mysql2 writing the same rows into the same tables (same database, its own server) with multi-row INSERT … ON DUPLICATE KEY UPDATE / INSERT IGNORE in the same 500-row chunks and transactions. Inventory: sites, lists (~10 members each), a member-count snapshot and an audit entry per list, one transaction. Log: 1,000 rows per transaction with the high-water mark, the next 1,000 read from the agent while it commits. listbill's inventory time is its whole sync job (that fixture has no log); its log time runs from the job's progress reaching 0.8 (its 1,000 lists seen) to its end.",
    "",
    "| what | rows | listbill | listbill rows/s | raw rows/s | listbill ÷ raw |",
    "|---|---|---|---|---|---|",
    row("inventory (lists)", figures.inventory),
    row("log import", figures.logImport),
    "",
    `Peak RSS of the API process (VmHWM) through the log import: ${Math.round(figures.logImport.peakRssBytes / 2 ** 20)} MB (${Math.round(figures.logImport.startupPeakRssBytes / 2 ** 20)} MB before it). Goal: listbill ÷ raw at least 0.5.`,
    "",
    usageReport(figures.usage),
  ].join("\n");
}
