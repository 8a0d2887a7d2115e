import type { EntityManager } from "typeorm";
import { type ChangeAuthor, changedFields, recordChanges } from "../audit/audit.js";
import type { Database } from "../db/database.js";
import { FIRST_DAY, setFromInputDay } from "../db/periods.js";
import { containsPattern } from "../db/sql.js";
import { type Page, type PageArgs, paginate } from "../graphql/connection.js";
import { fromGlobalId, nullableGlobalId } from "../graphql/global-id.js";
import { parseInput } from "../graphql/input-validation.js";
import { refuse } from "../graphql/user-error.js";
import { filterId } from "../lists/list.service.js";
import { HostingPlan } from "../plans/hosting-plan.entity.js";
import { Customer } from "./customer.entity.js";
import { CustomerPlanPeriod } from "./customer-plan-period.entity.js";
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
      const planId = await planRowId(manager, fields.planId);
      const customer = manager.create(Customer, {
        company: fields.company,
        contactName: fields.contactName ?? null,
        email: fields.email ?? null,
        isActive: fields.isActive,
        planId,
        startDate: fields.startDate ?? null,
        endDate: fields.endDate ?? null,
        createdAt: now,
        updatedAt: now,
      });
      assertPeriod(customer);
      const saved = await manager.save(Customer, customer);
      // Its plan from the first day: it reaches back as far as its lists' assignments do.
      await manager.insert(CustomerPlanPeriod, { customerId: saved.id, startDate: FIRST_DAY, planId, createdAt: now });
      await recordChanges(manager, author, [{ action: "customer.create", objectType: "Customer", objectId: saved.globalId, objectKey: saved.company, after: auditedFields(saved) }]);
      return saved;
    });
  }

  async update(input: { id: string }, author: ChangeAuthor): Promise<Customer> {
    const fields = parseInput(updateCustomerSchema, input, customerFieldCodes);
    return this.db.transaction(async (manager) => {
      // Locked: two changes of its plan write its plan periods one after the other.
      const customer = await this.db.lockedRow(manager, Customer, fromGlobalId("Customer", input.id));
      if (!customer) refuse("CUSTOMER_NOT_FOUND", "No customer has this ID", ["input", "id"]);
      const before: ReturnType<typeof auditedFields> & { planPeriods?: PlanPeriodSeen[] } = auditedFields(customer);
      if (fields.company !== undefined) customer.company = fields.company;
      if (fields.contactName !== undefined) customer.contactName = fields.contactName;
      if (fields.email !== undefined) customer.email = fields.email;
      if (fields.isActive !== undefined) customer.isActive = fields.isActive;
      // A new plan bills from planStartDate (today by default) on; the days before keep theirs.
      let planPeriods: { before: PlanPeriodSeen[]; after: PlanPeriodSeen[] } | null = null;
      if (fields.planId !== undefined || fields.planStartDate) {
        const planId = fields.planId === undefined ? customer.planId : await planRowId(manager, fields.planId);
        // Back-dated, the current plan too may start earlier than it did.
        if (planId !== customer.planId || fields.planStartDate) {
          const { replaced, written } = await setFromInputDay(manager, CustomerPlanPeriod, { customerId: customer.id }, { planId }, { planId: customer.planId }, {
            day: fields.planStartDate,
            field: "planStartDate",
            what: "a plan",
            valueGiven: fields.planId !== undefined,
            nothingBefore: {
              code: "NO_EARLIER_PLAN",
              message: (since, day) =>
                planId === null
                  ? `The customer has had no plan since ${since}: there is none to start later. Choose the plan to bill from ${day} (planId)`
                  : `This plan has billed the customer since ${since}, and no other plan before it could bill the days before ${day}. Set the plan those days bill at from ${since} first, then this one from ${day}`,
            },
          });
          if (replaced.length || written.length) planPeriods = { before: replaced.map(seen), after: written.map(seen) };
        }
        customer.planId = planId;
      }
      if (fields.startDate !== undefined) customer.startDate = fields.startDate;
      if (fields.endDate !== undefined) customer.endDate = fields.endDate;
      assertPeriod(customer);
      customer.updatedAt = new Date();
      const saved = await manager.save(Customer, customer);
      // The plan periods it removed or overwrote, and the one it wrote, are part of the change.
      const change = changedFields({ ...before, planPeriods: planPeriods?.before }, planPeriods ? { ...auditedFields(saved), planPeriods: planPeriods.after } : auditedFields(saved));
      if (change) await recordChanges(manager, author, [{ action: "customer.update", objectType: "Customer", objectId: saved.globalId, objectKey: saved.company, ...change }]);
      return saved;
    });
  }
}

/** The row id of the plan a client named; null for none; refused when it names no plan. */
async function planRowId(manager: EntityManager, globalId: string | null | undefined): Promise<number | null> {
  if (globalId == null) return null;
  const id = fromGlobalId("HostingPlan", globalId);
  if (id === null || !(await manager.existsBy(HostingPlan, { id }))) refuse("PLAN_NOT_FOUND", "No hosting plan has this ID", ["input", "planId"]);
  return id;
}

/** A plan period as the audit entry shows it. */
interface PlanPeriodSeen {
  startDate: string;
  planId: string | null;
}

function seen(period: { startDate: string; planId: number | null }): PlanPeriodSeen {
  return { startDate: period.startDate, planId: nullableGlobalId("HostingPlan", period.planId) };
}

function assertPeriod(customer: Customer): void {
  if (customer.startDate && customer.endDate && customer.endDate < customer.startDate) {
    refuse("INVALID_DATE", "endDate must not be before startDate", ["input", "endDate"]);
  }
}

/** What an audit entry records of a customer: its plan by the ID clients use (as every entry names an object). */
function auditedFields(customer: Customer) {
  const { company, contactName, email, isActive, planId, startDate, endDate } = customer;
  return { company, contactName, email, isActive, planId: nullableGlobalId("HostingPlan", planId), startDate, endDate };
}
