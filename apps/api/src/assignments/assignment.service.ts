import { type EntityManager, In, IsNull, MoreThanOrEqual } from "typeorm";
import { type ChangeAuthor, recordChanges } from "../audit/audit.js";
import { Customer } from "../customers/customer.entity.js";
import { bulkInsert } from "../db/bulk-write.js";
import type { Database } from "../db/database.js";
import { dayBefore, today } from "../db/periods.js";
import { type Page, type PageArgs, paginateEach } from "../graphql/connection.js";
import { fromGlobalId, toGlobalId } from "../graphql/global-id.js";
import { isCalendarDate } from "../graphql/scalars.js";
import { type UserError, UserInputFailure, refuse, userError } from "../graphql/user-error.js";
import { List } from "../lists/list.entity.js";
import { Server } from "../servers/server.entity.js";
import { groupBy } from "../group-by.js";
import { Site } from "../sites/site.entity.js";
import { Assignment, AssignmentScope } from "./assignment.entity.js";
import type { AssignmentFilter } from "./assignment.inputs.js";
import { AssignmentErrorCode as Code, MAX_LISTS_PER_CALL, MAX_WHOLES_PER_CALL } from "./assignment.errors.js";
import { lockOwnership, recomputeListOwners, recomputeOwnersUnder } from "./owners.js";

const CHUNK = 500;

export class AssignmentService {
  constructor(private readonly db: Database) {}

  /** The same page of each customer's assignments, newest first, in one statement. */
  pages(args: PageArgs, customerIds: number[], filter: AssignmentFilter | null): Promise<Page<Assignment>[]> {
    const queries = customerIds.map((customerId) => {
      const query = this.db.manager.getRepository(Assignment).createQueryBuilder("assignment").where("assignment.customerId = :customerId", { customerId });
      if (filter?.scope?.length) query.andWhere("assignment.scope IN (:...scopes)", { scopes: filter.scope });
      if (filter?.current === true) query.andWhere("assignment.endDate IS NULL");
      if (filter?.current === false) query.andWhere("assignment.endDate IS NOT NULL");
      return query;
    });
    return paginateEach(queries, args, [{ column: "assignment.id", value: (assignment) => assignment.id, descending: true }]);
  }

  /**
   * Makes the customer the direct owner of every named list from startDate. A list another
   * customer owns directly moves: that assignment ends the day before. All or nothing.
   */
  async assignLists(input: { listIds: string[]; customerId: string; startDate?: string | null }, author: ChangeAuthor): Promise<List[]> {
    const selection = parseSelection(LISTS, input.listIds);
    const listIds = selection.ids;
    const customerId = parseCustomerId(input.customerId);
    const startDate = parseDate(input.startDate, "startDate");

    return this.db.transaction(async (manager) => {
      const customer = await activeCustomer(manager, customerId, "lists");
      const lists = await loadSelected<List>(manager, LISTS, selection);
      await lockOwnership(manager, lists.map((list) => list.serverId));
      const { alreadyOwned, backdated } = await moveToCustomer(manager, LISTS, listIds, await currentAssignments(manager, LISTS, listIds), customer.id, startDate);
      const now = new Date();
      const fresh = lists
        .filter((list) => !alreadyOwned.has(list.id))
        .map((list) => ({ customerId: customer.id, scope: AssignmentScope.LIST, listId: list.id, serverId: null, siteId: null, startDate, endDate: null, createdAt: now }));
      // Not manager.insert: TypeORM's insert builder named a parameter per value and looked each new
      // name up among those before, 2.3 s of the 13 s that assigning 100,000 lists in calls of
      // 1,000 took.
      await bulkInsert(manager, Assignment, fresh);
      await recomputeListOwners(manager, listIds);
      const after = await loadSelected<List>(manager, LISTS, selection);
      await recordOwnerChanges(manager, author, "list.assign", lists, after);
      await recordBackdated(manager, author, "list.assign", "List", lists, backdated, customer.id, startDate);
      return after;
    });
  }

  /**
   * Ends the named lists' direct assignments on endDate. A list owned only through its site or
   * server is refused (unassign the site or server instead); an unowned list is left as it is.
   */
  async unassignLists(input: { listIds: string[]; endDate?: string | null }, author: ChangeAuthor): Promise<List[]> {
    const selection = parseSelection(LISTS, input.listIds);
    const listIds = selection.ids;
    const endDate = parseDate(input.endDate, "endDate");
    return this.db.transaction(async (manager) => {
      const lists = await loadSelected<List>(manager, LISTS, selection);
      await lockOwnership(manager, lists.map((list) => list.serverId));
      const current = await currentAssignments(manager, LISTS, listIds);
      const direct = new Set(current.map((assignment) => assignment.listId));
      const inherited = lists.filter((list) => list.customerId !== null && !direct.has(list.id));
      if (inherited.length > 0) {
        throw new UserInputFailure(
          inherited.map((list) =>
            userError(Code.INHERITED_ASSIGNMENT, `${list.name} is owned through its whole site or server; unassign that instead`, ["input", "listIds", String(selection.position.get(list.id))]),
          ),
        );
      }
      endAssignments(current, endDate, input.endDate == null);
      await saveEndDates(manager, current);
      await recomputeListOwners(manager, listIds);
      const after = await loadSelected<List>(manager, LISTS, selection);
      await recordOwnerChanges(manager, author, "list.unassign", lists, after);
      return after;
    });
  }

  /**
   * Makes the customer the owner of every named site, or server, as a whole from startDate: each
   * of its lists without an owner of its own is the customer's, and so are the lists the hosting
   * server adds to it later. A site or server another customer owns moves: that assignment ends
   * the day before. Lists assigned one by one keep their owner. All or nothing.
   */
  assignSites(input: { siteIds: string[]; customerId: string; startDate?: string | null }, author: ChangeAuthor): Promise<Site[]> {
    return this.assignWhole(SITES, input.siteIds, input, author) as Promise<Site[]>;
  }

  assignServers(input: { serverIds: string[]; customerId: string; startDate?: string | null }, author: ChangeAuthor): Promise<Server[]> {
    return this.assignWhole(SERVERS, input.serverIds, input, author) as Promise<Server[]>;
  }

  /**
   * Ends the named sites' (or servers') own assignments on endDate; their lists fall back to the
   * next owner (a site's to its server's), or to none. A site owned only through its server is
   * refused; one without an owner is left as it is.
   */
  unassignSites(input: { siteIds: string[]; endDate?: string | null }, author: ChangeAuthor): Promise<Site[]> {
    return this.unassignWhole(SITES, input.siteIds, input.endDate, author) as Promise<Site[]>;
  }

  unassignServers(input: { serverIds: string[]; endDate?: string | null }, author: ChangeAuthor): Promise<Server[]> {
    return this.unassignWhole(SERVERS, input.serverIds, input.endDate, author) as Promise<Server[]>;
  }

  private async assignWhole(kind: WholeKind, globalIds: string[], input: { customerId: string; startDate?: string | null }, author: ChangeAuthor): Promise<Whole[]> {
    const selection = parseSelection(kind, globalIds);
    const customerId = parseCustomerId(input.customerId);
    const startDate = parseDate(input.startDate, "startDate");

    return this.db.transaction(async (manager) => {
      const customer = await activeCustomer(manager, customerId, `${kind.noun}s`);
      const wholes = await loadSelected<Whole>(manager, kind, selection);
      await lockOwnership(manager, serversOf(wholes));
      const current = await currentAssignments(manager, kind, selection.ids);
      const { alreadyOwned, backdated } = await moveToCustomer(manager, kind, selection.ids, current, customer.id, startDate);
      const now = new Date();
      await bulkInsert(
        manager,
        Assignment,
        wholes
          .filter((whole) => !alreadyOwned.has(whole.id))
          .map((whole) => ({ customerId: customer.id, scope: kind.scope, listId: null, siteId: null, serverId: null, [kind.column]: whole.id, startDate, endDate: null, createdAt: now })),
      );
      await recomputeOwnersUnder(manager, kind.column, selection.ids);
      const before = ownersOf(kind, current);
      const after = new Map(wholes.map((whole) => [whole.id, customer.id]));
      await recordWholeOwnerChanges(manager, author, kind, "assign", wholes, before, after);
      await recordBackdated(manager, author, `${kind.noun}.assign`, kind.type, wholes, backdated, customer.id, startDate);
      return wholes;
    });
  }

  private async unassignWhole(kind: WholeKind, globalIds: string[], endDateInput: string | null | undefined, author: ChangeAuthor): Promise<Whole[]> {
    const selection = parseSelection(kind, globalIds);
    const endDate = parseDate(endDateInput, "endDate");
    return this.db.transaction(async (manager) => {
      const wholes = await loadSelected<Whole>(manager, kind, selection, false);
      await lockOwnership(manager, serversOf(wholes));
      const current = await currentAssignments(manager, kind, selection.ids);
      if (kind === SITES) {
        const own = new Set(current.map((assignment) => assignment.siteId));
        const inherited = await currentAssignments(manager, SERVERS, [...new Set((wholes as Site[]).filter((site) => !own.has(site.id)).map((site) => site.serverId))]);
        const ownedServers = new Set(inherited.map((assignment) => assignment.serverId));
        const refused = (wholes as Site[]).filter((site) => !own.has(site.id) && ownedServers.has(site.serverId));
        if (refused.length > 0) {
          throw new UserInputFailure(refused.map((site) => userError(Code.INHERITED_ASSIGNMENT, `${site.name} is owned through its whole server; unassign the server instead`, ["input", kind.field, String(selection.position.get(site.id))])));
        }
      }
      endAssignments(current, endDate, endDateInput == null);
      await saveEndDates(manager, current);
      await recomputeOwnersUnder(manager, kind.column, selection.ids);
      await recordWholeOwnerChanges(manager, author, kind, "unassign", wholes, ownersOf(kind, current), new Map());
      return wholes;
    });
  }
}

/** The selected rows' ids, without repeats, and where each stood in the input (for error paths). */
interface Selection {
  ids: number[];
  position: Map<number, number>;
  globalIds: string[];
}

/** One audit entry per list whose owner changed. */
async function recordOwnerChanges(manager: EntityManager, author: ChangeAuthor, action: string, before: List[], after: List[]): Promise<void> {
  const owners = new Map(before.map((list) => [list.id, list.customerId]));
  const changed = after.filter((list) => owners.get(list.id) !== list.customerId);
  const owner = await ownerLabels(manager, changed.flatMap((list) => [owners.get(list.id), list.customerId]));
  await recordChanges(
    manager,
    author,
    changed.map((list) => ({ action, objectType: "List", objectId: list.globalId, objectKey: list.name, before: { owner: owner(owners.get(list.id)) }, after: { owner: owner(list.customerId) } })),
  );
}

/** How an audit entry names an owner (or none): its id and company, read once for all of them. */
async function ownerLabels(manager: EntityManager, customerIds: (number | null | undefined)[]): Promise<(id: number | null | undefined) => { customerId: string; company: string | null } | null> {
  const ids = [...new Set(customerIds.filter((id): id is number => id != null))];
  const companies = new Map((ids.length ? await manager.findBy(Customer, { id: In(ids) }) : []).map((customer) => [customer.id, customer.company]));
  return (id) => (id == null ? null : { customerId: toGlobalId("Customer", id), company: companies.get(id) ?? null });
}

/** Row ids of the named nodes, without repeats; refuses an empty or too long selection and IDs of another type. */
function parseSelection(kind: Kind, globalIds: string[]): Selection {
  const { codes, field } = kind;
  if (globalIds.length === 0) refuse(codes.none[0], codes.none[1], ["input", field]);
  if (globalIds.length > codes.tooMany[2]) refuse(codes.tooMany[0], codes.tooMany[1], ["input", field]);
  const errors: UserError[] = [];
  const ids = globalIds.map((globalId, index) => {
    const id = fromGlobalId(kind.type, globalId);
    if (id === null) errors.push(userError(codes.notFound, `No ${kind.noun} has the ID "${globalId}"`, ["input", field, String(index)]));
    return id ?? 0;
  });
  if (errors.length) throw new UserInputFailure(errors);
  const position = new Map<number, number>();
  ids.forEach((id, index) => position.has(id) || position.set(id, index));
  return { ids: [...position.keys()], position, globalIds };
}

interface SelectionCodes {
  none: [string, string];
  tooMany: [string, string, number];
  notFound: string;
  /** For a row marked removed (lists and sites); absent: servers are never removed. */
  removed?: string;
}

/** A whole site or a whole server, as a thing a customer is assigned. */
type Whole = Site | Server;

/** What an assignment can give a customer, and how its mutations name, find and word it. */
interface Kind {
  scope: AssignmentScope;
  type: "List" | "Site" | "Server";
  entity: typeof List | typeof Site | typeof Server;
  /** Its id's column on assignment (and, for sites and servers, on list). */
  column: "listId" | "siteId" | "serverId";
  /** The input field naming them. */
  field: "listIds" | "siteIds" | "serverIds";
  noun: "list" | "site" | "server";
  codes: SelectionCodes;
}

interface WholeKind extends Kind {
  scope: AssignmentScope.SITE | AssignmentScope.SERVER;
  column: "siteId" | "serverId";
}

const LISTS: Kind = {
  scope: AssignmentScope.LIST,
  type: "List",
  entity: List,
  column: "listId",
  field: "listIds",
  noun: "list",
  codes: { none: [Code.NO_LISTS_SELECTED, "Select at least one list"], tooMany: [Code.TOO_MANY_LISTS, `At most ${MAX_LISTS_PER_CALL} lists per call`, MAX_LISTS_PER_CALL], notFound: Code.LIST_NOT_FOUND, removed: Code.LIST_REMOVED },
};

const SITES: WholeKind = {
  scope: AssignmentScope.SITE,
  type: "Site",
  entity: Site,
  column: "siteId",
  field: "siteIds",
  noun: "site",
  codes: { none: [Code.NO_SITES_SELECTED, "Select at least one site"], tooMany: [Code.TOO_MANY_SITES, `At most ${MAX_WHOLES_PER_CALL} sites per call`, MAX_WHOLES_PER_CALL], notFound: Code.SITE_NOT_FOUND, removed: Code.SITE_REMOVED },
};

const SERVERS: WholeKind = {
  scope: AssignmentScope.SERVER,
  type: "Server",
  entity: Server,
  column: "serverId",
  field: "serverIds",
  noun: "server",
  codes: { none: [Code.NO_SERVERS_SELECTED, "Select at least one server"], tooMany: [Code.TOO_MANY_SERVERS, `At most ${MAX_WHOLES_PER_CALL} servers per call`, MAX_WHOLES_PER_CALL], notFound: Code.SERVER_NOT_FOUND },
};

/** The named rows, in the order named; refuses unknown ones and (unless told not to) removed ones, each with its own error. */
async function loadSelected<T extends List | Whole>(manager: EntityManager, kind: Kind, selection: Selection, refuseRemoved = true): Promise<T[]> {
  const { ids, position, globalIds } = selection;
  const rows: T[] = [];
  for (let offset = 0; offset < ids.length; offset += CHUNK) {
    rows.push(...((await manager.getRepository<List | Whole>(kind.entity).findBy({ id: In(ids.slice(offset, offset + CHUNK)) })) as T[]));
  }
  const byId = new Map(rows.map((row) => [row.id, row]));
  const errors: UserError[] = [];
  ids.forEach((id) => {
    const row = byId.get(id);
    const index = position.get(id)!;
    const field = ["input", kind.field, String(index)];
    if (!row) errors.push(userError(kind.codes.notFound, `No ${kind.noun} has the ID "${globalIds[index]}"`, field));
    else if (refuseRemoved && kind.codes.removed && "removedAt" in row && row.removedAt) errors.push(userError(kind.codes.removed, `${row.name} was removed from its hosting server`, field));
  });
  if (errors.length) throw new UserInputFailure(errors);
  return ids.map((id) => byId.get(id)!);
}

/** The open assignments of the named lists, sites or servers themselves (a site's, not its lists'). */
async function currentAssignments(manager: EntityManager, kind: Kind, ids: number[]): Promise<Assignment[]> {
  const rows: Assignment[] = [];
  for (let offset = 0; offset < ids.length; offset += CHUNK) {
    rows.push(...(await manager.findBy(Assignment, { scope: kind.scope, [kind.column]: In(ids.slice(offset, offset + CHUNK)), endDate: IsNull() })));
  }
  return rows;
}

function ownersOf(kind: WholeKind, assignments: Assignment[]): Map<number, number> {
  return new Map(assignments.map((assignment) => [assignment[kind.column]!, assignment.customerId]));
}

/** One audit entry per site or server whose own owner changed (its lists' owners follow from it). */
async function recordWholeOwnerChanges(manager: EntityManager, author: ChangeAuthor, kind: WholeKind, verb: string, wholes: Whole[], before: Map<number, number>, after: Map<number, number>): Promise<void> {
  const changed = wholes.filter((whole) => before.get(whole.id) !== after.get(whole.id));
  const owner = await ownerLabels(manager, [...before.values(), ...after.values()]);
  await recordChanges(
    manager,
    author,
    changed.map((whole) => ({ action: `${kind.noun}.${verb}`, objectType: kind.type, objectId: whole.globalId, objectKey: whole.name, before: { owner: owner(before.get(whole.id)) }, after: { owner: owner(after.get(whole.id)) } })),
  );
}

async function saveEndDates(manager: EntityManager, assignments: Assignment[]): Promise<void> {
  for (const [endDate, ending] of groupBy(assignments, (assignment) => assignment.endDate!)) {
    const ids = ending.map((assignment) => assignment.id);
    for (let offset = 0; offset < ids.length; offset += CHUNK) {
      await manager.update(Assignment, { id: In(ids.slice(offset, offset + CHUNK)) }, { endDate });
    }
  }
}

function parseCustomerId(globalId: string): number {
  const id = fromGlobalId("Customer", globalId);
  if (id === null) refuse(Code.CUSTOMER_NOT_FOUND, "No customer has this ID", ["input", "customerId"]);
  return id;
}

/** The customer to assign `what` to: it must exist and be active. */
async function activeCustomer(manager: EntityManager, id: number, what: string): Promise<Customer> {
  const customer = await manager.findOneBy(Customer, { id });
  if (!customer) refuse(Code.CUSTOMER_NOT_FOUND, "No customer has this ID", ["input", "customerId"]);
  if (!customer.isActive) refuse(Code.CUSTOMER_INACTIVE, `${customer.company} is inactive; activate the customer before assigning ${what}`, ["input", "customerId"]);
  return customer;
}

/**
 * Ends the current assignments another customer holds the day before startDate, and pulls back to
 * that day any of theirs already ended on startDate or later; returns the ids (by kind.column) the
 * customer already holds, which need no new assignment. One that began on startDate or later
 * never takes effect: it ends before its own start (a void row, kept as history). Either way no
 * day is billed to two customers. The customer's own current assignment that starts after
 * startDate starts then instead: assigning an owner backdated gives it the days back to startDate,
 * where leaving its row as it was would leave them to nobody (or the site's or server's owner)
 * once the customer between was pulled back.
 */
async function moveToCustomer(manager: EntityManager, kind: Kind, objectIds: number[], current: Assignment[], customerId: number, startDate: string): Promise<{ alreadyOwned: Set<number | null>; backdated: Map<number, string> }> {
  const key = kind.column;
  const own = current.filter((assignment) => assignment.customerId === customerId && assignment.startDate > startDate);
  for (let offset = 0; offset < own.length; offset += CHUNK) {
    await manager.update(Assignment, { id: In(own.slice(offset, offset + CHUNK).map((assignment) => assignment.id)) }, { startDate });
  }
  /** Object id → the start its owner's assignment had before. */
  const backdated = new Map(own.map((assignment) => [assignment[key]!, assignment.startDate]));
  const moving = current.filter((assignment) => assignment.customerId !== customerId);
  const overlapping: Assignment[] = [];
  for (let offset = 0; offset < objectIds.length; offset += CHUNK) {
    const rows = await manager.findBy(Assignment, { scope: kind.scope, [key]: In(objectIds.slice(offset, offset + CHUNK)), endDate: MoreThanOrEqual(startDate) });
    overlapping.push(...rows.filter((assignment) => assignment.customerId !== customerId));
  }
  const ending = [...moving, ...overlapping];
  for (const assignment of ending) assignment.endDate = dayBefore(startDate);
  await saveEndDates(manager, ending);
  return { alreadyOwned: new Set(current.filter((assignment) => assignment.customerId === customerId).map((assignment) => assignment[key])), backdated };
}

/** One audit entry per object whose owner's assignment now starts earlier (the owner itself unchanged). */
async function recordBackdated(manager: EntityManager, author: ChangeAuthor, action: string, objectType: string, objects: { id: number; globalId: string; name: string }[], backdated: Map<number, string>, customerId: number, startDate: string): Promise<void> {
  if (backdated.size === 0) return;
  const owner = (await ownerLabels(manager, [customerId]))(customerId);
  await recordChanges(
    manager,
    author,
    objects.filter((object) => backdated.has(object.id)).map((object) => ({ action, objectType, objectId: object.globalId, objectKey: object.name, before: { owner, since: backdated.get(object.id)! }, after: { owner, since: startDate } })),
  );
}

/**
 * Ends the assignments on endDate. One that has not begun by then is refused, or, when the caller
 * gave no date (today), made void: an assignment dated ahead (written before such dates were
 * refused) can still be ended.
 */
function endAssignments(assignments: Assignment[], endDate: string, byDefault: boolean): void {
  for (const assignment of assignments) {
    if (endDate >= assignment.startDate) assignment.endDate = endDate;
    else if (byDefault) assignment.endDate = dayBefore(assignment.startDate);
    else refuse(Code.INVALID_DATE, `endDate ${endDate} is before the assignment's start ${assignment.startDate}`, ["input", "endDate"]);
  }
}

/** The servers whose ownership a change of these sites or servers touches. */
function serversOf(wholes: Whole[]): number[] {
  return wholes.map((whole) => (whole instanceof Site ? whole.serverId : whole.id));
}

/**
 * A start or end date: today (UTC) by default, never later. list.customerId holds today's owner,
 * computed when assignments change, so a change dated in the future would show (and count toward
 * plans and validation) before it happens: such a change is made on its day.
 */
function parseDate(value: string | null | undefined, field: string): string {
  const now = today();
  if (value == null) return now;
  if (!isCalendarDate(value)) refuse(Code.INVALID_DATE, `${field} must be a calendar date written YYYY-MM-DD`, ["input", field]);
  if (value > now) refuse(Code.INVALID_DATE, `${field} ${value} is in the future; record the change on ${value} or later (today is ${now}, UTC)`, ["input", field]);
  return value;
}

