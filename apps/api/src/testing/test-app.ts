import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase, mysqlTestUrl } from "@listbill/fixtures/testing";
import { type App, startApp } from "../app.js";
import { configFromEnv } from "../config.js";

export type DatabaseKind = "sqlite" | "mysql";

/** The databases every database test runs against: SQLite always, MySQL when configured (always in CI). */
export function testDatabases(): DatabaseKind[] {
  return mysqlTestUrl() ? ["sqlite", "mysql"] : ["sqlite"];
}

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  /** The raw response text, for asserting what never appears in it. */
  text: string;
}

export interface TestApp extends App {
  kind: DatabaseKind;
  dataDir: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** The SQL statements `work` sent to the database. */
  countSql(work: () => Promise<unknown>): Promise<number>;
  stop(): Promise<void>;
}

/** A real API on an ephemeral port over a fresh database of the given kind. */
export async function startTestApp(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "listbill-test-"));
  const scratch = kind === "mysql" ? await createScratchDatabase(mysqlTestUrl()!, "lbapi") : undefined;
  const config = configFromEnv({ PORT: "0", HOST: "127.0.0.1", LISTBILL_DATA_DIR: dataDir, ...(scratch ? { DATABASE_URL: scratch.url } : {}), ...env });
  const app = await startApp(config);
  return Object.assign(app, {
    kind,
    dataDir,
    async gql<T>(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
      const response = await fetch(`${app.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      const body = JSON.parse(text) as { data?: T; errors?: GraphQLResponse["errors"] };
      return { status: response.status, data: body.data, errors: body.errors, text };
    },
    async countSql(work: () => Promise<unknown>): Promise<number> {
      const before = app.db.sqlCounter.count;
      await work();
      return app.db.sqlCounter.count - before;
    },
    async stop() {
      await app.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** Fails the test with the server's own words when a GraphQL response carries errors. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}
