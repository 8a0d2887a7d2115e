import type { EntityManager } from "typeorm";
import { bulkInsert } from "../db/bulk-write.js";
import { AuditEntry } from "./audit-entry.entity.js";

/** Who a change is recorded for: the signed-in user and the request, or the system. */
export interface ChangeAuthor {
  actor: string | null;
  requestId: string | null;
}

export const SYSTEM_AUTHOR: ChangeAuthor = { actor: null, requestId: null };

export interface AuditRecord {
  action: string;
  objectType: string;
  objectId?: string | null;
  objectKey?: string | null;
  before?: object | null;
  after?: object | null;
}

/** Writes audit entries in the caller's transaction: they commit or roll back with the change. */
export async function recordChanges(manager: EntityManager, author: ChangeAuthor, records: AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  const at = new Date();
  const rows = records.map((record) => ({
    at,
    actor: author.actor,
    requestId: author.requestId,
    action: record.action,
    objectType: record.objectType,
    objectId: record.objectId ?? null,
    objectKey: record.objectKey?.slice(0, 200) ?? null,
    before: record.before ?? null,
    after: record.after ?? null,
  }));
  await bulkInsert(manager, AuditEntry, rows);
}

/** The fields of `after` whose value differs from `before`, each side limited to those fields. */
export function changedFields<T extends object>(before: T, after: T): { before: Partial<T>; after: Partial<T> } | null {
  const fields = (Object.keys(after) as (keyof T)[]).filter((field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null));
  if (fields.length === 0) return null;
  return {
    before: Object.fromEntries(fields.map((field) => [field, before[field] ?? null])) as Partial<T>,
    after: Object.fromEntries(fields.map((field) => [field, after[field] ?? null])) as Partial<T>,
  };
}
