import type { EntityManager } from "typeorm";
import { type ChangeAuthor, changedFields, recordChanges } from "../audit/audit.js";
import { nameKeyOf } from "../db/columns.js";
import { type Database, isUniqueViolation } from "../db/database.js";
import { type Page, type PageArgs, paginate } from "../graphql/connection.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { parseInput } from "../graphql/input-validation.js";
import { refuse } from "../graphql/user-error.js";
import { FIRST_DAY, setFromInputDay } from "../db/periods.js";
import { HostingPlanUnitPeriod } from "./hosting-plan-unit-period.entity.js";
import { HostingPlan } from "./hosting-plan.entity.js";
import { createHostingPlanSchema, planFieldCodes, updateHostingPlanSchema } from "./hosting-plan.inputs.js";

export class HostingPlanService {
  constructor(private readonly db: Database) {}

  page(args: PageArgs): Promise<Page<HostingPlan>> {
    return paginate(this.db.manager.getRepository(HostingPlan).createQueryBuilder("plan"), args, [
      { column: "plan.nameKey", value: (plan) => plan.nameKey },
      { column: "plan.id", value: (plan) => plan.id },
    ]);
  }

  async find(globalId: string): Promise<HostingPlan | null> {
    const id = fromGlobalId("HostingPlan", globalId);
    return id === null ? null : this.db.manager.findOneBy(HostingPlan, { id });
  }

  async create(input: unknown, author: ChangeAuthor): Promise<HostingPlan> {
    const fields = parseInput(createHostingPlanSchema, input, planFieldCodes);
    return this.db.transaction(async (manager) => {
      const now = new Date();
      const plan = manager.create(HostingPlan, { ...fields, nameKey: nameKeyOf(fields.name), createdAt: now, updatedAt: now });
      const saved = await saveUnique(manager, plan);
      await manager.insert(HostingPlanUnitPeriod, { planId: saved.id, startDate: FIRST_DAY, messageUnitBytes: saved.messageUnitBytes, createdAt: now });
      await recordChanges(manager, author, [{ action: "plan.create", objectType: "HostingPlan", objectId: saved.globalId, objectKey: saved.name, after: auditedFields(saved) }]);
      return saved;
    });
  }

  async update(input: { id: string }, author: ChangeAuthor): Promise<HostingPlan> {
    const { unitSizeStartDate, ...fields } = parseInput(updateHostingPlanSchema, input, planFieldCodes);
    return this.db.transaction(async (manager) => {
      // Locked: two edits of one plan do not undo each other's fields, and write its unit size
      // periods one after the other.
      const plan = await this.db.lockedRow(manager, HostingPlan, fromGlobalId("HostingPlan", input.id));
      if (!plan) refuse("PLAN_NOT_FOUND", "No hosting plan has this ID", ["input", "id"]);
      const before = auditedFields(plan);
      for (const [field, value] of Object.entries(fields)) {
        if (value !== undefined) Object.assign(plan, { [field]: value });
      }
      plan.nameKey = nameKeyOf(plan.name);
      plan.updatedAt = new Date();
      const saved = await saveUnique(manager, plan);
      // A new unit size bills from unitSizeStartDate (today by default) on; the days before keep theirs.
      let unitSizes: { before: UnitSizeSeen[]; after: UnitSizeSeen[] } | null = null;
      if (saved.messageUnitBytes !== before.messageUnitBytes || unitSizeStartDate) {
        const { replaced, written } = await setFromInputDay(manager, HostingPlanUnitPeriod, { planId: saved.id }, { messageUnitBytes: saved.messageUnitBytes }, { messageUnitBytes: before.messageUnitBytes }, {
          day: unitSizeStartDate,
          field: "unitSizeStartDate",
          what: "a unit size",
          valueGiven: fields.messageUnitBytes !== undefined,
          nothingBefore: {
            code: "NO_EARLIER_UNIT_SIZE",
            message: (since, day) =>
              `The plan has billed ${saved.messageUnitBytes} bytes a unit since ${since}, and no other unit size before it could bill the days before ${day}. Set the unit size those days bill at from ${since} first, then this one from ${day}`,
          },
        });
        if (replaced.length || written.length) unitSizes = { before: replaced.map(unitSizeSeen), after: written.map(unitSizeSeen) };
      }
      // The unit size periods it removed or overwrote, and the one it wrote, are part of the change.
      const change = changedFields({ ...before, unitSizes: unitSizes?.before }, unitSizes ? { ...auditedFields(saved), unitSizes: unitSizes.after } : auditedFields(saved));
      if (change) await recordChanges(manager, author, [{ action: "plan.update", objectType: "HostingPlan", objectId: saved.globalId, objectKey: saved.name, ...change }]);
      return saved;
    });
  }
}

interface UnitSizeSeen {
  startDate: string;
  messageUnitBytes: number;
}

function unitSizeSeen(period: { startDate: string; messageUnitBytes: number }): UnitSizeSeen {
  return { startDate: period.startDate, messageUnitBytes: period.messageUnitBytes };
}

async function saveUnique(manager: EntityManager, plan: HostingPlan): Promise<HostingPlan> {
  const clash = await manager.findOneBy(HostingPlan, { nameKey: plan.nameKey });
  if (clash && clash.id !== plan.id) refuse("DUPLICATE_NAME", `A hosting plan named "${plan.name}" already exists`, ["input", "name"]);
  try {
    return await manager.save(HostingPlan, plan);
  } catch (error) {
    if (isUniqueViolation(error)) refuse("DUPLICATE_NAME", `A hosting plan named "${plan.name}" already exists`, ["input", "name"]);
    throw error;
  }
}

function auditedFields(plan: HostingPlan) {
  const { name, maxLists, maxListsPerSite, maxSites, maxMembers, maxMembersPerList, messageUnitBytes } = plan;
  return { name, maxLists, maxListsPerSite, maxSites, maxMembers, maxMembersPerList, messageUnitBytes };
}
