import type { EntityManager } from "typeorm";
import { ValidationError } from "./validation-error.entity.js";
import { openNow } from "./published.js";

const PAGE = 5000;
/** An entry whose errors were all found again (ids are positive). */
const TAKEN = 0;

/**
 * A server's OPEN errors by fingerprint, as a run takes away those it finds again: what is left
 * at the end is what the run supersedes, and what it took is what the run keeps. Holds an id and a
 * 27-character digest per open error (about 10 MB for 100,000), read a page at a time so that
 * reading it costs no more.
 */
export class OpenErrors {
  /** Fingerprint → the id of the OPEN error saying it, or their ids when several say the same. */
  readonly #byFingerprint = new Map<string, number | number[]>();
  readonly #taken: number[] = [];

  static async of(manager: EntityManager, serverId: number): Promise<OpenErrors> {
    const open = new OpenErrors();
    for (let after = 0; ; ) {
      const rows: { id: number | string; fingerprint: string | null }[] = await manager
        .getRepository(ValidationError)
        .createQueryBuilder("error")
        .select("error.id", "id")
        .addSelect("error.fingerprint", "fingerprint")
        .where("error.serverId = :serverId AND error.id > :after", { serverId, after })
        .andWhere(openNow("error"))
        .orderBy("error.id", "ASC")
        .limit(PAGE)
        .getRawMany();
      // Rows from before fingerprints existed get a key no finding has: the run supersedes them.
      for (const row of rows) open.add(row.fingerprint ?? `unfingerprinted:${row.id}`, Number(row.id));
      if (rows.length < PAGE) return open;
      after = Number(rows[rows.length - 1]!.id);
    }
  }

  /**
   * Takes an OPEN error with this fingerprint, if one is left: the finding is that error, found
   * again. A taken entry stays in the map as TAKEN: deleting would shrink and rehash the map
   * over and over as a run finds its 100,000 errors again.
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

  /** The ids of the OPEN errors not taken. */
  remaining(): number[] {
    const ids: number[] = [];
    for (const left of this.#byFingerprint.values()) {
      if (left === TAKEN) continue;
      if (typeof left === "number") ids.push(left);
      else ids.push(...left);
    }
    return ids;
  }

  private add(fingerprint: string, id: number): void {
    const ids = this.#byFingerprint.get(fingerprint);
    if (ids === undefined) this.#byFingerprint.set(fingerprint, id);
    else if (typeof ids === "number") this.#byFingerprint.set(fingerprint, [ids, id]);
    else ids.push(id);
  }
}
