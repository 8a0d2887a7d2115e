// The body of SqliteWorkers' threads, in plain JavaScript: TypeScript would need the compiling
// hooks of bin/listbill-agent.mjs, which a worker does not inherit, and registering them again
// costs each thread a hooks thread of its own (tens of MB). Statements here need no name key.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { path, cacheKib } = workerData;

// A connection per statement, as the main thread opens one per stream: a file replaced or
// re-indexed meanwhile is read as it is now (opening costs a fraction of a millisecond).
parentPort.on("message", ({ id, sql, params }) => {
  let answer;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`cache_size = -${cacheKib}`);
      answer = { id, values: db.prepare(sql).raw().all(...params) };
    } finally {
      db.close();
    }
  } catch (error) {
    answer = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort.postMessage(answer);
});
