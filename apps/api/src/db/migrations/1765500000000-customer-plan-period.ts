import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";
import { columnKit, fk } from "./column-kit.js";

/**
 * customer_plan_period: which plan, and which message unit size, a customer had from which day.
 * Usage counts a message's units at its owner's unit size on the day it was sent; until now it
 * took the owner's current plan, so changing a customer's plan, or a plan's unit size, changed
 * the units of months already invoiced. Every customer gets one period from 1970-01-01 with its
 * plan of today (what billing knew of the past); changes add periods from the day they are made.
 */
export class CustomerPlanPeriod1765500000000 implements MigrationInterface {
  name = "CustomerPlanPeriod1765500000000";

  async up(runner: QueryRunner): Promise<void> {
    const c = columnKit(runner);
    await runner.createTable(
      new Table({
        name: "customer_plan_period",
        columns: [
          c.id(),
          { name: "customerId", type: "int" },
          { name: "startDate", type: "date" },
          { name: "planId", type: "int", isNullable: true },
          { name: "messageUnitBytes", type: "int", default: 0 },
          c.instant("createdAt"),
        ],
        indices: [new TableIndex({ name: "UQ_customer_plan_period_start", columnNames: ["customerId", "startDate"], isUnique: true })],
        foreignKeys: [fk("customerId", "customer"), fk("planId", "hosting_plan")],
      }),
    );
    await runner.query(
      `INSERT INTO customer_plan_period (customerId, startDate, planId, messageUnitBytes, createdAt)
       SELECT c.id, '1970-01-01', c.planId, COALESCE(p.messageUnitBytes, 0), c.createdAt FROM customer c LEFT JOIN hosting_plan p ON p.id = c.planId`,
    );
  }

  /**
   * Refused once a plan changed after the migration: the table is then the only record of which
   * plan billed which days, and going back would price every month at today's plans again.
   */
  async down(runner: QueryRunner): Promise<void> {
    const changed = (await runner.query(`SELECT COUNT(*) AS n FROM customer_plan_period WHERE startDate <> '1970-01-01'`)) as { n: number | string }[];
    if (Number(changed[0]?.n ?? 0) > 0) {
      throw new Error("customers' plans changed since this migration (customer_plan_period holds later periods): going back would bill the months before each change at today's plan; refusing");
    }
    await runner.dropTable("customer_plan_period");
  }
}
