import type { MigrationInterface, QueryRunner } from "typeorm";
import { CODE_RULES, type ValidationErrorCode } from "../../validation/validation-codes.js";

const COLUMNS = ["severity", "objectType", "fixable", "remedy"] as const;

/**
 * validation_error without severity, objectType, fixable and remedy: each follows from the code
 * (CODE_RULES), and repeating them made every row about 100 bytes and four values longer, for
 * the 100,000 rows a first validation of a large server writes. The GraphQL fields and filters
 * are unchanged; the filters become filters on code. Dropped in place (no table rebuild on
 * either database: none of them is indexed), and restored from CODE_RULES on the way down.
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
    for (const [code, rule] of Object.entries(CODE_RULES) as [ValidationErrorCode, (typeof CODE_RULES)[ValidationErrorCode]][]) {
      await runner.query("UPDATE validation_error SET severity = ?, objectType = ?, fixable = ?, remedy = ? WHERE code = ?", [rule.severity, rule.objectType, rule.fixable ? 1 : 0, rule.remedy, code]);
    }
  }
}
