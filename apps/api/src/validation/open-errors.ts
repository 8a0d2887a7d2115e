import type { EntityManager } from "typeorm";
import { ValidationError } from "./validation-error.entity.js";
import { openNow } from "./published.js";

const PAGE = 5000;
/** An entry whose errors were all found again (ids are positive). */
const TAKEN = 0;
const READ = Promise.resolve();

/**
 * A server's OPEN errors by fingerprint, as a run takes away those it finds again: what is left
 * at the end is what the run supersedes, and what it took is what the run keeps. Holds an id and a
 * 27-character digest per open error read (about 10 MB for 100,000), read a page at a time.
 *
 * They are counted by code first and read a code at a time, one read after another, when the run
 * finds something of that code: a finding can only be an error of its own code found again (the
 * code is part of the digest). The first run after a sync finds 100,000 LIST_UNASSIGNED where
 * 100,000 NEW_LIST errors were open: it counts those from the server's index and reads none of
 * them, where reading them cost the API about 0.25 s of a 2 s run. What it never read it
 * supersedes all the same, as counted (see remainingCount).
 */
export class OpenErrors {
  /** Fingerprint → the id of the OPEN error saying it, or their ids when several say the same. */
  readonly #byFingerprint = new Map<string, number | number[]>();
  readonly #taken: number[] = [];
  /** Codes whose OPEN errors are not read yet → how many there were when counted. */
  readonly #unread: Map<string, number>;
  readonly #reading = new Map<string, Promise<void>>();
  /** The last read asked for: reads run one after another, on one connection at a time. */
  #lastRead: Promise<void> = READ;

  private constructor(
    private readonly manager: EntityManager,
    private readonly serverId: number,
    counts: Map<string, number>,
  ) {
    this.#unread = counts;
  }

  /** The server's OPEN errors, counted by code; none read yet. */
  static async of(manager: EntityManager, serverId: number): Promise<OpenErrors> {
    const rows: { code: string; errors: number | string }[] = await openCountQuery(manager, serverId).getRawMany();
    return new OpenErrors(manager, serverId, new Map(rows.map((row) => [row.code, Number(row.errors)])));
  }

  /** Whether the findings of this code can be told new from found again: its errors are read, or it had none. */
  ready(code: string): boolean {
    return !this.#unread.has(code);
  }

  /**
   * Reads the OPEN errors of this code, once however often asked; resolved at once for a code read
   * or without any. A failed read fails whoever waits for it (the run), and nobody else.
   */
  read(code: string): Promise<void> {
    if (!this.#unread.has(code)) return READ;
    let reading = this.#reading.get(code);
    if (!reading) {
      reading = this.#lastRead.then(
        () => this.readCode(code),
        () => this.readCode(code),
      );
      reading.catch(() => undefined);
      this.#reading.set(code, reading);
      this.#lastRead = reading;
    }
    return reading;
  }

  /**
   * Takes an OPEN error with this fingerprint, if one is left: the finding is that error, found
   * again (its code must be read: see ready). A taken entry stays in the map as TAKEN: deleting
   * would shrink and rehash the map over and over as a run finds its 100,000 errors again.
   */
  take(fingerprint: string): boolean {
    const ids = this.#byFingerprint.get(fingerprint);
    if (ids === undefined || ids === TAKEN) return false;
    if (typeof ids === "number") {
      this.#byFingerprint.set(fingerprint, TAKEN);
      this.#taken.push(ids);
    } else {
      this.#taken.push(ids.pop()!);
      if (ids.length === 0) this.#byFingerprint.set(fingerprint, TAKEN);
    }
    return true;
  }

  /** The ids of the OPEN errors taken. */
  taken(): number[] {
    return this.#taken;
  }

  /** How many OPEN errors were not taken: those read and left, and those of codes not read, as counted. */
  remainingCount(): number {
    for (const code of this.#reading.keys()) if (this.#unread.has(code)) throw new Error(`remainingCount() while the ${code} errors are being read`);
    let count = 0;
    for (const left of this.#byFingerprint.values()) {
      if (left !== TAKEN) count += typeof left === "number" ? 1 : left.length;
    }
    for (const unread of this.#unread.values()) count += unread;
    return count;
  }

  /** The ids of the OPEN errors not taken, reading those of the codes not read yet. */
  async remaining(): Promise<number[]> {
    for (const code of [...this.#unread.keys()]) await this.read(code);
    const ids: number[] = [];
    for (const left of this.#byFingerprint.values()) {
      if (left === TAKEN) continue;
      if (typeof left === "number") ids.push(left);
      else ids.push(...left);
    }
    return ids;
  }

  /** Reads a code's OPEN errors a page at a time; the code counts as read once every page is in. */
  private async readCode(code: string): Promise<void> {
    for (let after = 0; ; ) {
      const rows: { id: number | string; fingerprint: string | null }[] = await openPageQuery(this.manager, this.serverId, code, after).getRawMany();
      // Rows from before fingerprints existed get a key no finding has: the run supersedes them.
      for (const row of rows) this.add(row.fingerprint ?? `unfingerprinted:${row.id}`, Number(row.id));
      if (rows.length < PAGE) {
        this.#unread.delete(code);
        return;
      }
      after = Number(rows[rows.length - 1]!.id);
    }
  }

  private add(fingerprint: string, id: number): void {
    const ids = this.#byFingerprint.get(fingerprint);
    if (ids === undefined) this.#byFingerprint.set(fingerprint, id);
    else if (typeof ids === "number") this.#byFingerprint.set(fingerprint, [ids, id]);
    else ids.push(id);
  }
}

/**
 * The index these read (named for MySQL, whose planner takes the (status, id, runId) index instead
 * while one server holds most errors, and then reads a row per open error for its code).
 */
const SERVER_INDEX = "IDX_validation_error_server_status_run_code";

/** The server's OPEN errors counted by code: from its (serverId, status, id, runId, code) index alone. */
export function openCountQuery(manager: EntityManager, serverId: number) {
  return manager.getRepository(ValidationError).createQueryBuilder("error").useIndex(SERVER_INDEX).select("error.code", "code").addSelect("COUNT(*)", "errors").where("error.serverId = :serverId", { serverId }).andWhere(openNow("error")).groupBy("error.code");
}

/** A page of the server's OPEN errors of one code after an id: the code tested on the index, a row read per error of that code. */
export function openPageQuery(manager: EntityManager, serverId: number, code: string, after: number) {
  return manager
    .getRepository(ValidationError)
    .createQueryBuilder("error")
    .useIndex(SERVER_INDEX)
    .select("error.id", "id")
    .addSelect("error.fingerprint", "fingerprint")
    .where("error.serverId = :serverId AND error.code = :code AND error.id > :after", { serverId, code, after })
    .andWhere(openNow("error"))
    .orderBy("error.id", "ASC")
    .limit(PAGE);
}
