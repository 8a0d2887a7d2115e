import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { format as formatSql } from "mysql2";
import { DataSource, type DataSourceOptions } from "typeorm";
import { Assignment } from "../assignments/assignment.entity.js";
import { ApiToken } from "../auth/api-token.entity.js";
import { Session } from "../auth/session.entity.js";
import { User } from "../auth/user.entity.js";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { Customer } from "../customers/customer.entity.js";
import { CustomerPlanPeriod } from "../customers/customer-plan-period.entity.js";
import { HostingPlanUnitPeriod } from "../plans/hosting-plan-unit-period.entity.js";
import { Job } from "../jobs/job.entity.js";
import { ListMemberCount } from "../lists/list-member-count.entity.js";
import { List } from "../lists/list.entity.js";
import { HostingPlan } from "../plans/hosting-plan.entity.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { MessageLog } from "../usage/message-log.entity.js";
import { ValidationError } from "../validation/validation-error.entity.js";
import { ValidationRun } from "../validation/validation-run.entity.js";
import { migrations } from "./migrations/index.js";
import { Database } from "./database.js";
import { localRowsStream, probeLoadData } from "./load-data.js";
import { SqlStatementCounter } from "./sql-statement-counter.js";

export const entities = [Server, Site, List, ListMemberCount, Customer, CustomerPlanPeriod, HostingPlan, HostingPlanUnitPeriod, Assignment, User, Session, ApiToken, Job, ValidationRun, ValidationError, MessageLog, AuditEntry];

export interface DatabaseSettings {
  /** mysql://user:pass@host:port/db, or undefined for the embedded SQLite file in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
}

/**
 * Opens the database and brings its schema up to date with the committed migrations
 * (never `synchronize`). The returned counter sees every SQL statement the data source runs.
 */
export async function openDatabase(settings: DatabaseSettings): Promise<Database> {
  const sqlCounter = new SqlStatementCounter();
  const common = { entities, migrations, migrationsRun: false, synchronize: false, logger: sqlCounter, logging: ["query", "error"] as ("query" | "error")[] };
  let options: DataSourceOptions;
  if (settings.databaseUrl) {
    options = {
      ...common,
      type: "mysql",
      url: settings.databaseUrl,
      charset: "utf8mb4_unicode_ci",
      // Instants are stored and read as UTC whatever the server's or the process's zone.
      timezone: "Z",
      dateStrings: ["DATE"],
      supportBigNumbers: true,
      // No stack captured at every query for the error it might raise: mysql2 does that by
      // default, and it was 2 % of a lists page's CPU. A failed statement still says what failed.
      trace: false,
      // LOAD DATA LOCAL's rows come from this factory, never from a file (load-data.ts).
      extra: { connectionLimit: 10, queryFormat: formatUnlessBare, infileStreamFactory: localRowsStream },
    };
  } else {
    mkdirSync(settings.dataDir, { recursive: true });
    options = {
      ...common,
      type: "better-sqlite3",
      database: join(settings.dataDir, "listbill.sqlite"),
      // WAL lets readers go on while a sync writes; a busy writer is waited for, not failed.
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma("journal_mode = WAL");
        db.pragma("busy_timeout = 5000");
        db.pragma("foreign_keys = ON");
      },
    };
  }
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: "each" });
  if (options.type === "mysql" && !(await probeLoadData(dataSource))) console.log("[db] the database does not allow LOAD DATA LOCAL (local_infile): validation writes its findings as INSERT statements");
  return new Database(dataSource, sqlCounter);
}

/**
 * mysql2's own formatting of `?` placeholders, skipped for a statement sent without parameters:
 * mysql2 would still scan it whole for one, quotes and all (bulkInsert sends statements of
 * 300 KB with their values already escaped in).
 */
function formatUnlessBare(sql: string, values: unknown, timezone: string): string {
  if (values === undefined || values === null || (Array.isArray(values) && values.length === 0)) return sql;
  return formatSql(sql, values as Parameters<typeof formatSql>[1], false, timezone as Parameters<typeof formatSql>[3]);
}
