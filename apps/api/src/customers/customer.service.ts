import type { EntityManager } from "typeorm";
import { type ChangeAuthor, changedFields, recordChanges } from "../audit/audit.js";
import type { Database } from "../db/database.js";
import { containsPattern } from "../db/sql.js";
import { type Page, type PageArgs, paginate } from "../graphql/connection.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { parseInput } from "../graphql/input-validation.js";
import { refuse } from "../graphql/user-error.js";
import { filterId } from "../lists/list.service.js";
import { HostingPlan } from "../plans/hosting-plan.entity.js";
import { Customer } from "./customer.entity.js";
import { type PlanTerms, changePlanTerms, startPlanPeriods, today } from "./plan-period.js";
import { type CustomerFilter, createCustomerSchema, customerFieldCodes, updateCustomerSchema } from "./customer.inputs.js";

export class CustomerService {
  constructor(private readonly db: Database) {}

  page(args: PageArgs, filter: CustomerFilter | null | undefined): Promise<Page<Customer>> {
    const query = this.db.manager.getRepository(Customer).createQueryBuilder("customer");
    if (filter?.companyContains) {
      query.andWhere("LOWER(customer.company) LIKE :pattern ESCAPE '!'", { pattern: containsPattern(filter.companyContains.toLowerCase()) });
    }
    if (filter?.isActive != null) query.andWhere("customer.isActive = :isActive", { isActive: filter.isActive });
    const planId = filterId("HostingPlan", filter?.planId, "planId");
    if (planId !== undefined) query.andWhere("customer.planId = :planId", { planId });
    return paginate(query, args, [{ column: "customer.id", value: (customer) => customer.id }]);
  }

  async find(globalId: string): Promise<Customer | null> {
    const id = fromGlobalId("Customer", globalId);
    return id === null ? null : this.db.manager.findOneBy(Customer, { id });
  }

  async create(input: unknown, author: ChangeAuthor): Promise<Customer> {
    const fields = parseInput(createCustomerSchema, input, customerFieldCodes);
    return this.db.transaction(async (manager) => {
      const now = new Date();
      const terms = await planTerms(manager, fields.planId, this.db.kind === "mysql");
      const customer = manager.create(Customer, {
        company: fields.company,
        contactName: fields.contactName ?? null,
        email: fields.email ?? null,
        isActive: fields.isActive,
        planId: terms.planId,
        startDate: fields.startDate ?? null,
        endDate: fields.endDate ?? null,
        createdAt: now,
        updatedAt: now,
      });
      assertPeriod(customer);
      const saved = await manager.save(Customer, customer);
      await startPlanPeriods(manager, saved.id, terms);
      await recordChanges(manager, author, [{ action: "customer.create", objectType: "Customer", objectId: saved.globalId, objectKey: saved.company, after: auditedFields(saved) }]);
      return saved;
    });
  }

  async update(input: { id: string }, author: ChangeAuthor): Promise<Customer> {
    const fields = parseInput(updateCustomerSchema, input, customerFieldCodes);
    return this.db.transaction(async (manager) => {
      const id = fromGlobalId("Customer", input.id);
      // Locked on MySQL until the end: a change of its plan, or of its plan's unit size
      // (HostingPlanService.update), writes its plan periods one at a time.
      const query = manager.getRepository(Customer).createQueryBuilder("customer").where("customer.id = :id", { id: id ?? -1 });
      if (this.db.kind === "mysql") query.setLock("pessimistic_write");
      const customer = id === null ? null : await query.getOne();
      if (!customer) refuse("CUSTOMER_NOT_FOUND", "No customer has this ID", ["input", "id"]);
      const before: ReturnType<typeof auditedFields> & { planStartDate?: string | null } = auditedFields(customer);
      if (fields.company !== undefined) customer.company = fields.company;
      if (fields.contactName !== undefined) customer.contactName = fields.contactName;
      if (fields.email !== undefined) customer.email = fields.email;
      if (fields.isActive !== undefined) customer.isActive = fields.isActive;
      // A new plan bills from planStartDate (today by default) on; the days before keep theirs.
      let planStartDate: string | null = null;
      if (fields.planId !== undefined || fields.planStartDate) {
        const day = fields.planStartDate ?? today();
        if (day > today()) refuse("INVALID_DATE", "planStartDate must not be after today (UTC): a plan bills from the day it is set, or earlier", ["input", "planStartDate"]);
        const named = fields.planId === undefined ? customer.planId : fields.planId;
        // The plan it stays on is only checked; one it moves to is locked shared (planTerms).
        const moving = named === null ? customer.planId !== null : (typeof named === "number" ? named : fromGlobalId("HostingPlan", named)) !== customer.planId;
        const terms = await planTerms(manager, named, (moving || fields.planStartDate != null) && this.db.kind === "mysql");
        // Back-dated, the current plan too may start earlier than it did.
        if ((terms.planId !== customer.planId || fields.planStartDate) && (await changePlanTerms(manager, customer.id, await planTerms(manager, customer.planId, false), terms, day))) planStartDate = day;
        customer.planId = terms.planId;
      }
      if (fields.startDate !== undefined) customer.startDate = fields.startDate;
      if (fields.endDate !== undefined) customer.endDate = fields.endDate;
      assertPeriod(customer);
      customer.updatedAt = new Date();
      const saved = await manager.save(Customer, customer);
      // The day a plan change bills from is part of the change.
      const change = changedFields(before, planStartDate ? { ...auditedFields(saved), planStartDate } : auditedFields(saved));
      if (change) await recordChanges(manager, author, [{ action: "customer.update", objectType: "Customer", objectId: saved.globalId, objectKey: saved.company, ...change }]);
      return saved;
    });
  }
}

/**
 * The plan a client named (a global ID; a row id as stored) and its unit size; none for null.
 * On MySQL, `lock` holds the plan's row shared until the transaction ends: a concurrent change
 * of its unit size (which writes a period for each of its customers) waits, or is waited for and
 * read.
 */
async function planTerms(manager: EntityManager, plan: string | number | null | undefined, lock: boolean): Promise<PlanTerms> {
  if (plan == null) return { planId: null, messageUnitBytes: 0 };
  const id = typeof plan === "number" ? plan : fromGlobalId("HostingPlan", plan);
  // LOCK IN SHARE MODE: MariaDB's words (it has no FOR SHARE, which TypeORM writes), MySQL's too.
  const rows: { id: number | string; messageUnitBytes: number | string }[] = id === null ? [] : await manager.query(`SELECT id, messageUnitBytes FROM hosting_plan WHERE id = ?${lock ? " LOCK IN SHARE MODE" : ""}`, [id]);
  const row = rows[0];
  if (!row) refuse("PLAN_NOT_FOUND", "No hosting plan has this ID", ["input", "planId"]);
  return { planId: Number(row.id), messageUnitBytes: Number(row.messageUnitBytes) };
}

function assertPeriod(customer: Customer): void {
  if (customer.startDate && customer.endDate && customer.endDate < customer.startDate) {
    refuse("INVALID_DATE", "endDate must not be before startDate", ["input", "endDate"]);
  }
}

function auditedFields(customer: Customer) {
  const { company, contactName, email, isActive, planId, startDate, endDate } = customer;
  return { company, contactName, email, isActive, planId, startDate, endDate };
}
