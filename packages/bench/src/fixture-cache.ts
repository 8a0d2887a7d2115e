import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { generateListManagerDatabase } from "@listbill/fixtures";

/** The shape of a generated hosting server; the same shape always gives the same rows. */
export interface FixtureShape {
  lists: number;
  /** Mean members per list (each list gets 0 to twice this). */
  membersPerList: number;
  sites: number;
  seed: number;
  /** Rows of log_ (default none). */
  logRows?: number;
}

const CACHE_DIR = join(import.meta.dirname, "..", ".cache");

/**
 * A ListManager SQLite database of `shape`, generated once and kept under packages/bench/.cache
 * (100,000 lists of ~100 members take about 90 s to write). The file name is the whole key, so a
 * changed shape never reuses a stale file; a generation cut short leaves only a temporary file.
 */
export async function cachedFixture(shape: FixtureShape, log: (line: string) => void = () => undefined): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const logPart = shape.logRows ? `-${shape.logRows}log` : "";
  const path = join(CACHE_DIR, `listmanager-${shape.lists}l-${shape.membersPerList}m-${shape.sites}s${logPart}-seed${shape.seed}.sqlite`);
  if (existsSync(path)) return path;
  const partial = `${path}.${process.pid}.partial`;
  log(`generating ${path} (${shape.lists.toLocaleString("en")} lists × ~${shape.membersPerList} members)…`);
  try {
    const generated = await generateListManagerDatabase({ target: { sqlitePath: partial }, ...shape, logRows: shape.logRows ?? 0 });
    log(`  ${generated.members.toLocaleString("en")} members in ${generated.seconds.toFixed(1)} s`);
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
  return path;
}
