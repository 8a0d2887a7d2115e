import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteWorkers } from "./sqlite-workers.js";

const dir = mkdtempSync(join(tmpdir(), "listbill-sqlite-workers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("statements on SQLite worker threads", () => {
  it("answer in order, fail alone when SQLite refuses them, and read the file as it is now", async () => {
    const path = join(dir, "numbers.sqlite");
    const db = new Database(path);
    db.exec("CREATE TABLE numbers (n INTEGER); INSERT INTO numbers VALUES (1), (2), (3)");
    const workers = new SqliteWorkers(path);
    try {
      const sum = "SELECT SUM(n), COUNT(*) FROM numbers WHERE n >= ?";
      const answers = await Promise.all([workers.run(sum, [1]), workers.run(sum, [2]), workers.run("SELECT n FROM numbers ORDER BY n DESC", [])]);
      expect(answers).toEqual([[[6, 3]], [[5, 2]], [[3], [2], [1]]]);

      await expect(workers.run("SELECT * FROM no_such_table", [])).rejects.toThrow(/no such table/);

      db.exec("INSERT INTO numbers VALUES (4)");
      expect(await workers.run(sum, [1])).toEqual([[10, 4]]);
    } finally {
      await workers.close();
      db.close();
    }
  });
});
