import { hash } from "node:crypto";
import { JsonText, bulkInsert } from "../db/bulk-write.js";
import type { Database } from "../db/database.js";
import type { Server } from "../servers/server.entity.js";
import type { Finding } from "./diff.js";
import type { OpenErrors } from "./open-errors.js";
import { CODE_RULES, Severity, ValidationErrorCode, ValidationErrorStatus, messageStored } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import type { ValidationRun } from "./validation-run.entity.js";

const SYNCABLE = new Set([ValidationErrorCode.NEW_SITE, ValidationErrorCode.NEW_LIST, ValidationErrorCode.SITE_CHANGED, ValidationErrorCode.LIST_CHANGED]);
/**
 * Findings per write: one statement (on MySQL a LOAD DATA LOCAL of about 500 KB of tab-separated
 * text, or 600 KB of SQL where the server refuses LOAD DATA; 28,000 parameters on SQLite, under its
 * 32,766). One write is in flight at a time. Two (on two MySQL connections) let a
 * two-core database insert two at a time: the first validation of 100,000 lists once took 2.5 s
 * instead of 3.2 s. But two statements take their ids in the order the database starts them, not
 * the order they were sent, and under load a later chunk often came first: the errors, listed by
 * id, would no longer be in the order found. Tried again with ids reserved before each statement
 * (a table of next ids, two writes in flight) on 2026-11-27, it gained nothing: A/B over three
 * rounds, 0.97 before a sync and 1.01 after, since the API's own CPU is what the run waits for.
 * Nor did letting the comparison run up to four chunks ahead of the one write in flight (the
 * comparison of 100,000 new lists had waited 1.3 s in all for writes): A/B over two rounds, 1.23
 * before a sync and 1.06 after. API, agent and database together keep two cores busy.
 * On MariaDB (innodb_autoinc_lock_mode 1) a LOAD DATA holds the table's AUTO-INC lock until it
 * ends, so the loads of validations running at once take turns; the chunk is in memory and sent
 * at once, so a turn lasts the database's time for 2,000 rows, about 20 ms.
 */
const FLUSH_EVERY = 2000;
/** Findings held while the server's open errors they need are still being read; more, and the comparison waits for them. */
const MAX_WAITING = 20_000;

/** A finding's billing and hosting values as JSON ("null" for none): serialized once, for its digest and its row. */
export interface FindingJson {
  billing: string;
  hosting: string;
}

export function findingJson(finding: Finding): FindingJson {
  return { billing: finding.billingValue ? JSON.stringify(finding.billingValue) : "null", hosting: finding.hostingValue ? JSON.stringify(finding.hostingValue) : "null" };
}

/**
 * What an error says, as a digest: a finding with the same one is the same error, found again.
 * The digest is of the JSON array [code, objectType, objectKey (200 characters), customerId,
 * siteId, listId, message, billingValue, hostingValue], written out from its parts so that the
 * values' JSON is made once; stored fingerprints depend on it staying exactly that text.
 */
export function findingFingerprint(finding: Finding, json: FindingJson = findingJson(finding)): string {
  const ids = `${finding.customerId ?? null},${finding.siteId ?? null},${finding.listId ?? null}`;
  const said = `[${JSON.stringify(finding.code)},${JSON.stringify(CODE_RULES[finding.code].objectType)},${JSON.stringify(finding.objectKey.slice(0, 200))},${ids},${JSON.stringify(finding.message)},${json.billing},${json.hosting}]`;
  return hash("sha1", said, "base64url");
}

/** The row of a finding; given its values' JSON, the row carries that text for bulkInsert. */
export function errorRow(server: Server, run: ValidationRun, finding: Finding, fingerprint?: string, json?: FindingJson): Partial<ValidationError> {
  const objectKey = finding.objectKey.slice(0, 200);
  const row: Partial<ValidationError> = {
    runId: run.id,
    serverId: server.id,
    customerId: finding.customerId ?? null,
    siteId: finding.siteId ?? null,
    listId: finding.listId ?? null,
    code: finding.code,
    objectKey,
    message: messageStored(finding.code, objectKey, finding.message),
    billingValue: json ? jsonText(json.billing) : (finding.billingValue ?? null),
    hostingValue: json ? jsonText(json.hosting) : (finding.hostingValue ?? null),
    // Counted once the run is published (published.ts).
    status: ValidationErrorStatus.OPEN,
    detectedAt: new Date(),
    fixedAt: null,
    supersededAt: null,
    fingerprint: fingerprint ?? findingFingerprint(finding),
  };
  return row;
}

const jsonText = (json: string) => (json === "null" ? null : new JsonText(json));

/** What a run found again of the server's OPEN errors, by id, for publishing. */
export interface FoundAgain {
  kept: number[];
  vanished: number[] | null;
}

interface Waiting {
  finding: Finding;
  fingerprint: string;
  json: FindingJson;
}

/**
 * Counts findings by severity and writes the new ones, unpublished, in chunks; a finding
 * identical to an OPEN error of an earlier run keeps that row and writes nothing. A chunk is
 * written while the comparison goes on reading the agent: at most one write is in flight, and
 * the next chunk waits for it. Rows get their ids in the order found.
 * The OPEN errors are counted while the comparison starts, and read a code at a time as findings
 * of that code come (open-errors.ts): until then, findings wait (up to MAX_WAITING of them) to be
 * told new from found again. So memory holds at most the chunk being written, MAX_WAITING
 * findings and the rows they make, and the OPEN errors' ids.
 */
export class Tally {
  errors = 0;
  warnings = 0;
  infos = 0;
  total = 0;
  listsChecked = 0;
  /** Findings a sync would resolve (NEW_*, *_CHANGED): what auto-sync acts on. */
  syncable = 0;
  /** Findings that were already OPEN errors, kept as they are. */
  kept = 0;
  /** Whether the lists were read with their member counts (only a plan limiting members needs them). */
  membersCounted = false;
  #buffer: Partial<ValidationError>[] = [];
  #writing: Promise<void> | undefined;
  /** The server's OPEN errors once counted; those found again leave it. */
  #open: OpenErrors | undefined;
  readonly #opening: Promise<OpenErrors>;
  /** Findings in the order found, from the first whose code's OPEN errors are not read yet. */
  #waiting: Waiting[] = [];

  constructor(
    private readonly db: Database,
    private readonly server: Server,
    private readonly run: ValidationRun,
    opening: Promise<OpenErrors>,
  ) {
    this.#opening = opening.then((open) => {
      this.#open = open;
      for (const { finding } of this.#waiting) void open.read(finding.code);
      return open;
    });
    this.#opening.catch(() => undefined);
  }

  /**
   * The ids of the earlier OPEN errors this run found again, and of those it did not (after
   * flush); null for the latter when they are more (then publishing withdraws the earlier runs
   * whole, and their ids are not needed: those of codes never found are not even read).
   */
  async foundAgain(): Promise<FoundAgain> {
    const open = this.#open;
    if (!open || this.#waiting.length) throw new Error("foundAgain() before flush()");
    const kept = open.taken();
    return { kept, vanished: open.remainingCount() > kept.length ? null : await open.remaining() };
  }

  /** Counts the findings; a promise only when a chunk of rows is due to be written (then await it). */
  add(findings: Finding[]): Promise<void> | undefined {
    const open = this.#open;
    // In the order found: those that waited go first.
    if (open && this.#waiting.length) this.sortWaited(open);
    for (const finding of findings) {
      const severity = CODE_RULES[finding.code].severity;
      if (severity === Severity.ERROR) this.errors += 1;
      else if (severity === Severity.WARNING) this.warnings += 1;
      else this.infos += 1;
      this.total += 1;
      if (SYNCABLE.has(finding.code)) this.syncable += 1;
      const json = findingJson(finding);
      const fingerprint = findingFingerprint(finding, json);
      if (open && this.#waiting.length === 0 && open.ready(finding.code)) this.sort(open, finding, fingerprint, json);
      else {
        this.#waiting.push({ finding, fingerprint, json });
        if (open) void open.read(finding.code);
      }
    }
    if (this.#waiting.length >= MAX_WAITING) return this.sortWaiting();
    return this.#buffer.length >= FLUSH_EVERY ? this.startWrite() : undefined;
  }

  /** Writes what is buffered and waits for every write: the run's rows are all in the database. */
  async flush(): Promise<void> {
    await this.sortWaiting();
    await this.startWrite(true);
    await this.#writing;
  }

  /** A finding already OPEN costs a digest and no row. */
  private sort(open: OpenErrors, finding: Finding, fingerprint: string, json: FindingJson): void {
    if (open.take(fingerprint)) this.kept += 1;
    else this.#buffer.push(errorRow(this.server, this.run, finding, fingerprint, json));
  }

  /** Waits for the OPEN errors each waiting finding needs, and sorts them all. */
  private async sortWaiting(): Promise<void> {
    const open = await this.#opening;
    for (;;) {
      this.sortWaited(open);
      const next = this.#waiting[0];
      if (!next) break;
      await open.read(next.finding.code);
    }
    if (this.#buffer.length >= FLUSH_EVERY) await this.startWrite();
  }

  /** Sorts the waiting findings, in order, up to the first whose code's OPEN errors are still being read. */
  private sortWaited(open: OpenErrors): void {
    const waiting = this.#waiting;
    let sorted = 0;
    for (; sorted < waiting.length; sorted++) {
      const { finding, fingerprint, json } = waiting[sorted]!;
      if (!open.ready(finding.code)) break;
      this.sort(open, finding, fingerprint, json);
    }
    if (sorted) this.#waiting = sorted === waiting.length ? [] : waiting.slice(sorted);
  }

  /** Waits for the write in flight, if any, whatever its outcome. */
  async settle(): Promise<void> {
    await this.#writing?.catch(() => undefined);
  }

  /**
   * Starts writing the buffer, a statement of FLUSH_EVERY rows at a time, each after the one
   * before; the last is left running. A remainder under FLUSH_EVERY waits for more findings,
   * unless `all`.
   */
  private async startWrite(all = false): Promise<void> {
    while (this.#buffer.length >= FLUSH_EVERY || (all && this.#buffer.length > 0)) {
      // A failed write surfaces here, at the next chunk, or at flush(): the job fails and its unpublished rows stay hidden until the next run clears them.
      await this.#writing;
      const rows = this.#buffer.length <= FLUSH_EVERY ? this.#buffer : this.#buffer.slice(0, FLUSH_EVERY);
      this.#buffer = rows === this.#buffer ? [] : this.#buffer.slice(FLUSH_EVERY);
      const writing = this.db.statement((manager) => bulkInsert(manager, ValidationError, rows, { kind: "error" }, FLUSH_EVERY, { loadData: true }));
      // Handled when awaited above; until then an early rejection must not count as unhandled.
      writing.catch(() => undefined);
      this.#writing = writing;
    }
  }
}
