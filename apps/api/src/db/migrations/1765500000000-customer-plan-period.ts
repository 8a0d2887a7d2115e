import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";
import { columnKit, fk } from "./column-kit.js";

/**
 * Which plan a customer had from which day (customer_plan_period), and which message unit size a
 * plan had from which day (hosting_plan_unit_period). Usage counts a message's units at its
 * owner's plan's unit size on the day it was sent; until now it took the owner's current plan and
 * that plan's current size, so changing a customer's plan, or a plan's unit size, changed the
 * units of months already invoiced. Every customer and every plan gets one period from 1970-01-01
 * with what it has today (all billing knew of the past); changes add periods from their day.
 */
export class CustomerPlanPeriod1765500000000 implements MigrationInterface {
  name = "CustomerPlanPeriod1765500000000";

  async up(runner: QueryRunner): Promise<void> {
    const c = columnKit(runner);
    await runner.createTable(
      new Table({
        name: "customer_plan_period",
        columns: [c.id(), { name: "customerId", type: "int" }, { name: "startDate", type: "date" }, { name: "planId", type: "int", isNullable: true }, c.instant("createdAt")],
        indices: [new TableIndex({ name: "UQ_customer_plan_period_start", columnNames: ["customerId", "startDate"], isUnique: true })],
        foreignKeys: [fk("customerId", "customer"), fk("planId", "hosting_plan")],
      }),
    );
    await runner.createTable(
      new Table({
        name: "hosting_plan_unit_period",
        columns: [c.id(), { name: "planId", type: "int" }, { name: "startDate", type: "date" }, { name: "messageUnitBytes", type: "int", default: 0 }, c.instant("createdAt")],
        indices: [new TableIndex({ name: "UQ_hosting_plan_unit_period_start", columnNames: ["planId", "startDate"], isUnique: true })],
        foreignKeys: [fk("planId", "hosting_plan")],
      }),
    );
    await runner.query("INSERT INTO customer_plan_period (customerId, startDate, planId, createdAt) SELECT id, '1970-01-01', planId, createdAt FROM customer");
    await runner.query("INSERT INTO hosting_plan_unit_period (planId, startDate, messageUnitBytes, createdAt) SELECT id, '1970-01-01', messageUnitBytes, createdAt FROM hosting_plan");
  }

  /**
   * Refused once a plan or a unit size changed after the migration: the tables are then the only
   * record of which plan and size billed which days, and going back would price every month at
   * today's again.
   */
  async down(runner: QueryRunner): Promise<void> {
    for (const table of ["customer_plan_period", "hosting_plan_unit_period"]) {
      const changed = (await runner.query(`SELECT COUNT(*) AS n FROM ${table} WHERE startDate <> '1970-01-01'`)) as { n: number | string }[];
      if (Number(changed[0]?.n ?? 0) > 0) {
        throw new Error(`plans or unit sizes changed since this migration (${table} holds later periods): going back would bill the months before each change at today's; refusing`);
      }
    }
    await runner.dropTable("hosting_plan_unit_period");
    await runner.dropTable("customer_plan_period");
  }
}
