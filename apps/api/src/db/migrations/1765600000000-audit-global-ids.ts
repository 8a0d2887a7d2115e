import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Audit entries name objects by the IDs clients use (base64url "Type:rowId"), but two kinds wrote
 * row numbers: a customer's plan in customer.create and customer.update (planId), and the owner in
 * fix.MISSING_LIST (customerId). Those written before are rewritten here, and down writes them
 * back; a value already an ID (or none) is left as it is. Entries are read a thousand at a time.
 */
const FIELDS: Record<string, { field: string; type: string }> = {
  "customer.create": { field: "planId", type: "HostingPlan" },
  "customer.update": { field: "planId", type: "HostingPlan" },
  "fix.MISSING_LIST": { field: "customerId", type: "Customer" },
};
const PAGE = 1000;

/** The opaque ID as this migration shipped (graphql/global-id.ts). */
const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`, "utf8").toString("base64url");

function rowId(type: string, value: string): number | null {
  const decoded = Buffer.from(value, "base64url").toString("utf8");
  const match = new RegExp(`^${type}:([1-9][0-9]{0,14})$`).exec(decoded);
  return match ? Number(match[1]) : null;
}

export class AuditGlobalIds1765600000000 implements MigrationInterface {
  name = "AuditGlobalIds1765600000000";

  async up(runner: QueryRunner): Promise<void> {
    await rewrite(runner, (type, value) => (typeof value === "number" ? globalId(type, value) : value));
  }

  async down(runner: QueryRunner): Promise<void> {
    await rewrite(runner, (type, value) => (typeof value === "string" ? (rowId(type, value) ?? value) : value));
  }
}

async function rewrite(runner: QueryRunner, convert: (type: string, value: unknown) => unknown): Promise<void> {
  const column = (name: string) => runner.connection.driver.escape(name);
  const actions = Object.keys(FIELDS);
  for (let after = 0; ; ) {
    const rows: { id: number | string; action: string; before: string | null; after: string | null }[] = await runner.query(
      `SELECT id, action, ${column("before")} AS ${column("before")}, ${column("after")} AS ${column("after")} FROM audit_entry WHERE id > ? AND action IN (${actions.map(() => "?").join(", ")}) ORDER BY id LIMIT ${PAGE}`,
      [after, ...actions],
    );
    for (const row of rows) {
      const { field, type } = FIELDS[row.action]!;
      const sides = [row.before, row.after].map((text) => {
        if (text === null) return { text, changed: false };
        const value = JSON.parse(text) as Record<string, unknown> | null;
        if (!value || typeof value !== "object" || !(field in value)) return { text, changed: false };
        const converted = convert(type, value[field]);
        return converted === value[field] ? { text, changed: false } : { text: JSON.stringify({ ...value, [field]: converted }), changed: true };
      });
      if (sides.some((side) => side.changed)) {
        await runner.query(`UPDATE audit_entry SET ${column("before")} = ?, ${column("after")} = ? WHERE id = ?`, [sides[0]!.text, sides[1]!.text, row.id]);
      }
    }
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}
