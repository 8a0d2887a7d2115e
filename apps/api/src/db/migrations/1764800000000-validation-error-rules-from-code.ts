import type { MigrationInterface, QueryRunner } from "typeorm";

const COLUMNS = ["severity", "objectType", "fixable", "remedy"] as const;

/** The rules as they were when the columns went (CODE_RULES then): what the down writes back. */
const RULES: Record<string, [severity: string, objectType: string, fixable: boolean, remedy: string]> = {
  SERVER_UNREACHABLE: ["ERROR", "SERVER", false, "Check that the agent runs and the host name and port are right, then validate again."],
  AUTH_FAILED: ["ERROR", "SERVER", false, "Set the server's password to the agent's, then validate again."],
  HOST_NOT_ALLOWED: ["ERROR", "SERVER", false, "Add the billing server's IP address to the agent's allow-list (TCLPORT Hosts)."],
  VERSION_CHANGED: ["INFO", "SERVER", true, "Fix accepts the new version."],
  VERSION_UNSUPPORTED: ["ERROR", "SERVER", false, "Upgrade ListManager on the hosting server."],
  NEW_SITE: ["WARNING", "SITE", true, "Fix adds the site to billing."],
  NEW_LIST: ["ERROR", "LIST", true, "Fix adds the list to billing; then assign it to a customer."],
  MISSING_SITE: ["WARNING", "SITE", true, "Fix with removals allowed marks the site removed in billing."],
  MISSING_LIST: ["WARNING", "LIST", true, "Fix with removals allowed marks the list removed and ends its assignment."],
  SITE_CHANGED: ["WARNING", "SITE", true, "Fix copies the hosting server's values into billing."],
  LIST_CHANGED: ["WARNING", "LIST", true, "Fix copies the hosting server's values into billing."],
  LIST_UNASSIGNED: ["ERROR", "LIST", false, "Assign the list to a customer."],
  LIST_ON_INACTIVE_CUSTOMER: ["WARNING", "LIST", false, "Reactivate the customer or assign the list to another one."],
  PLAN_MAX_LISTS_EXCEEDED: ["ERROR", "CUSTOMER", false, "Move the customer to a larger plan or remove lists."],
  PLAN_MAX_LISTS_PER_SITE_EXCEEDED: ["ERROR", "CUSTOMER", false, "Move the customer to a larger plan or spread the lists over sites."],
  PLAN_MAX_SITES_EXCEEDED: ["ERROR", "CUSTOMER", false, "Move the customer to a larger plan."],
  PLAN_MAX_MEMBERS_EXCEEDED: ["ERROR", "CUSTOMER", false, "Move the customer to a larger plan."],
  PLAN_MAX_MEMBERS_PER_LIST_EXCEEDED: ["ERROR", "LIST", false, "Move the customer to a larger plan."],
  LOGGING_DISABLED: ["WARNING", "SERVER", false, "Turn on message logging in ListManager, or usage cannot be billed."],
};

/**
 * validation_error without severity, objectType, fixable and remedy: each follows from the code
 * (CODE_RULES), and repeating them made every row about 100 bytes and four values longer, for
 * the 100,000 rows a first validation of a large server writes. The GraphQL fields and filters
 * are unchanged; the filters become filters on code. Dropped in place (no table rebuild on
 * either database: none of them is indexed), and restored on the way down from the rules as they
 * were, kept here, with column defaults the first schema did not have.
 */
export class ValidationErrorRulesFromCode1764800000000 implements MigrationInterface {
  name = "ValidationErrorRulesFromCode1764800000000";

  async up(runner: QueryRunner): Promise<void> {
    for (const column of COLUMNS) await runner.query(`ALTER TABLE validation_error DROP COLUMN ${column}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.options.type === "mysql";
    await runner.query("ALTER TABLE validation_error ADD COLUMN severity varchar(10) NOT NULL DEFAULT 'ERROR'");
    await runner.query("ALTER TABLE validation_error ADD COLUMN objectType varchar(10) NOT NULL DEFAULT 'SERVER'");
    await runner.query(`ALTER TABLE validation_error ADD COLUMN fixable ${mysql ? "tinyint" : "boolean"} NOT NULL DEFAULT 0`);
    await runner.query("ALTER TABLE validation_error ADD COLUMN remedy varchar(200) NOT NULL DEFAULT ''");
    for (const [code, [severity, objectType, fixable, remedy]] of Object.entries(RULES)) {
      await runner.query("UPDATE validation_error SET severity = ?, objectType = ?, fixable = ?, remedy = ? WHERE code = ?", [severity, objectType, fixable ? 1 : 0, remedy, code]);
    }
  }
}
