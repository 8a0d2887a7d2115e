import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase, mysqlTestUrl } from "@listbill/fixtures/testing";
import { openDatabase } from "../db/data-source.js";
import type { Database } from "../db/database.js";

/** A database of its own, every migration run, dropped afterwards: for a test that needs no API. */
export async function withScratchDatabase(kind: "sqlite" | "mysql", work: (db: Database) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "listbill-migration-"));
  const scratch = kind === "mysql" ? await createScratchDatabase(mysqlTestUrl()!, "lbmig") : undefined;
  const db = await openDatabase({ databaseUrl: scratch?.url, dataDir });
  try {
    await work(db);
  } finally {
    await db.close();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
