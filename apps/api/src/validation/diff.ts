import { type HostingList, type HostingSite, billedMembers, nameKey } from "@listbill/protocol";
import type { JsonObject } from "../graphql/scalars.js";
import { ValidationErrorCode as Code, namedMessage } from "./validation-codes.js";

/** A difference found, before it becomes a ValidationError row. */
export interface Finding {
  code: Code;
  objectKey: string;
  message: string;
  billingValue?: JsonObject;
  hostingValue?: JsonObject;
  customerId?: number | null;
  siteId?: number | null;
  listId?: number | null;
}

/** What the diff needs of billing's site row. */
export interface BillingSite {
  id: number;
  name: string;
  nameKey: string;
  hostName: string | null;
  description: string | null;
  removedAt: Date | null;
}

/** What the diff needs of billing's list row. */
export interface BillingList {
  id: number;
  name: string;
  nameKey: string;
  siteId: number | null;
  description: string | null;
  topic: string | null;
  disabled: boolean;
  maxMembers: number;
  customerId: number | null;
  /** Marked removed by an operator (gone from the hosting server). */
  removed: boolean;
  /** Counted members at the last sync. */
  memberCount: number;
  /** Counts by status at the last sync (memberCountsKey). */
  memberCounts: string | null;
  /** When the hosting server's list billing has was created there (epoch milliseconds), if known. */
  hostCreatedAt: number | null;
}

export interface CustomerSummary {
  id: number;
  company: string;
  isActive: boolean;
  plan: PlanLimits | null;
}

export interface PlanLimits {
  name: string;
  maxLists: number;
  maxListsPerSite: number;
  maxSites: number;
  maxMembers: number;
  maxMembersPerList: number;
}

/** The oldest ListManager major version the agent protocol reads correctly. */
export const MIN_SUPPORTED_MAJOR = 8;

export function isSupportedVersion(product: string, version: string): boolean {
  const major = Number.parseInt(version, 10);
  return /listmanager/i.test(product) && Number.isFinite(major) && major >= MIN_SUPPORTED_MAJOR;
}

export function diffVersion(serverName: string, billingVersion: string | null, product: string, hostingVersion: string): Finding[] {
  const findings: Finding[] = [];
  if (!isSupportedVersion(product, hostingVersion)) {
    findings.push({
      code: Code.VERSION_UNSUPPORTED,
      objectKey: serverName,
      message: `${serverName} runs ${product} ${hostingVersion}; listbill supports ListManager ${MIN_SUPPORTED_MAJOR} and later`,
      hostingValue: { product, version: hostingVersion },
    });
  }
  if (billingVersion !== null && billingVersion !== hostingVersion) {
    findings.push({
      code: Code.VERSION_CHANGED,
      objectKey: serverName,
      message: `${serverName} was upgraded from ListManager ${billingVersion} to ${hostingVersion}`,
      billingValue: { version: billingVersion },
      hostingValue: { version: hostingVersion },
    });
  }
  return findings;
}

const same = (a: string | null | undefined, b: string | null | undefined) => (a || null) === (b || null);

/** One site key present on either side. */
export function diffSite(billing: BillingSite | undefined, hosting: HostingSite | undefined): Finding[] {
  const live = billing && !billing.removedAt ? billing : undefined;
  if (hosting && !live) {
    return [{ code: Code.NEW_SITE, objectKey: hosting.name, siteId: billing?.id ?? null, message: namedMessage(Code.NEW_SITE, hosting.name), hostingValue: siteValue(hosting) }];
  }
  if (live && !hosting) {
    return [{ code: Code.MISSING_SITE, objectKey: live.name, siteId: live.id, message: namedMessage(Code.MISSING_SITE, live.name), billingValue: billingSiteValue(live) }];
  }
  if (live && hosting) {
    const billingValue = billingSiteValue(live);
    const hostingValue = siteValue(hosting);
    const changed = (Object.keys(hostingValue) as (keyof typeof hostingValue)[]).filter((field) => !same(billingValue[field], hostingValue[field]));
    if (changed.length) {
      return [{
        code: Code.SITE_CHANGED,
        objectKey: live.name,
        siteId: live.id,
        message: `Site ${live.name} changed on the hosting server: ${changed.join(", ")}`,
        billingValue: pick(billingValue, changed),
        hostingValue: pick(hostingValue, changed),
      }];
    }
  }
  return [];
}

/** A hosting site as billing stores it (cut to billing's column sizes), so a synced copy compares equal. */
export function siteValue(site: HostingSite) {
  return { name: clip(site.name, 100)!, hostName: clip(site.hostName, 253), description: clip(site.title, 255) };
}

function billingSiteValue(site: BillingSite) {
  return { name: site.name, hostName: site.hostName, description: site.description };
}

/** The list fields billing mirrors, as billing stores them (cut to its column sizes). */
export function listValue(list: HostingList) {
  return { name: clip(list.name, 100)!, site: list.site, topic: clip(list.topic, 100), description: clip(list.description, 255), disabled: list.disabled, maxMembers: list.maxMembers };
}

/** Empty text is no text; longer text is cut to what billing's column holds. */
export function clip(text: string | null | undefined, max: number): string | null {
  return text ? text.slice(0, max) : null;
}

/**
 * One list key present on either side. `siteNames` maps billing site ids to names; `customers`
 * holds every customer that owns a list (with its plan).
 */
export function diffList(
  billing: BillingList | undefined,
  hosting: HostingList | undefined,
  siteNames: ReadonlyMap<number, string>,
  customers: ReadonlyMap<number, CustomerSummary>,
): Finding[] {
  const live = billing && !billing.removed ? billing : undefined;
  if (hosting && !live) {
    return [{
      code: Code.NEW_LIST,
      objectKey: hosting.name,
      listId: billing?.id ?? null,
      message: namedMessage(Code.NEW_LIST, hosting.name),
      hostingValue: listValue(hosting),
    }];
  }
  if (live && !hosting) {
    return [{
      code: Code.MISSING_LIST,
      objectKey: live.name,
      listId: live.id,
      customerId: live.customerId,
      message: namedMessage(Code.MISSING_LIST, live.name),
      billingValue: billingListValue(live, siteNames),
    }];
  }
  if (!live || !hosting) return [];

  const findings: Finding[] = [];
  const billingValue = billingListValue(live, siteNames);
  const hostingValue = listValue(hosting);
  const differs = {
    // The same key, another spelling (NEWS for news): billing shows the hosting server's.
    name: billingValue.name !== hostingValue.name,
    site: billingValue.site !== hostingValue.site && nameKey(billingValue.site ?? "") !== nameKey(hostingValue.site ?? ""),
    topic: !same(billingValue.topic, hostingValue.topic),
    description: !same(billingValue.description, hostingValue.description),
    disabled: billingValue.disabled !== hostingValue.disabled,
    maxMembers: billingValue.maxMembers !== hostingValue.maxMembers,
  };
  const changed = (Object.keys(differs) as (keyof typeof differs)[]).filter((field) => differs[field]);
  if (changed.length) {
    findings.push({
      code: Code.LIST_CHANGED,
      objectKey: live.name,
      listId: live.id,
      customerId: live.customerId,
      message: changed.includes("site") ? `List ${live.name} moved from site ${billingValue.site ?? "(none)"} to ${hostingValue.site ?? "(none)"}` : `List ${live.name} changed on the hosting server: ${changed.join(", ")}`,
      billingValue: pick(billingValue, changed),
      hostingValue: pick(hostingValue, changed),
    });
  }

  const customer = live.customerId === null ? undefined : customers.get(live.customerId);
  const recreated = recreatedAt(live, hosting);
  if (recreated !== null) {
    const before = new Date(live.hostCreatedAt!).toISOString();
    findings.push({
      code: Code.LIST_RECREATED,
      objectKey: live.name,
      listId: live.id,
      customerId: live.customerId,
      message: `List ${live.name} was deleted and created again on the hosting server on ${recreated.slice(0, 10)}: billing still bills it as the list created on ${before.slice(0, 10)}${customer ? `, to ${customer.company}` : ""}`,
      billingValue: { created: before },
      hostingValue: { created: recreated },
    });
  }
  if (!customer) {
    findings.push({ code: Code.LIST_UNASSIGNED, objectKey: live.name, listId: live.id, message: namedMessage(Code.LIST_UNASSIGNED, live.name) });
    return findings;
  }
  if (!customer.isActive) {
    findings.push({
      code: Code.LIST_ON_INACTIVE_CUSTOMER,
      objectKey: live.name,
      listId: live.id,
      customerId: customer.id,
      message: `List ${live.name} belongs to ${customer.company}, whose account is inactive`,
      billingValue: { customer: customer.company, isActive: false },
    });
  }
  const members = billedMembers(hosting);
  const limit = customer.plan?.maxMembersPerList ?? 0;
  if (limit > 0 && members > limit) {
    findings.push({
      code: Code.PLAN_MAX_MEMBERS_PER_LIST_EXCEEDED,
      objectKey: live.name,
      listId: live.id,
      customerId: customer.id,
      message: `List ${live.name} has ${members} members; ${customer.company}'s plan ${customer.plan!.name} allows ${limit} per list`,
      billingValue: { maxMembersPerList: limit },
      hostingValue: { members },
    });
  }
  return findings;
}

/**
 * When the hosting server's list was created, as ISO text, if that is after the creation billing
 * recorded for the list of its name: that list was deleted and this one made under its name (a
 * list cannot be made earlier than itself; an earlier time is a clock's doing, not a new list).
 */
export function recreatedAt(billing: Pick<BillingList, "hostCreatedAt">, hosting: Pick<HostingList, "created">): string | null {
  if (billing.hostCreatedAt === null || !hosting.created) return null;
  const created = Date.parse(hosting.created);
  return created > billing.hostCreatedAt ? new Date(created).toISOString() : null;
}

function billingListValue(list: BillingList, siteNames: ReadonlyMap<number, string>) {
  return {
    name: list.name,
    site: list.siteId === null ? null : (siteNames.get(list.siteId) ?? null),
    topic: list.topic,
    description: list.description,
    disabled: list.disabled,
    maxMembers: list.maxMembers,
  };
}

function pick<T extends object, K extends keyof T>(value: T, fields: readonly K[]): Pick<T, K> {
  return Object.fromEntries(fields.map((field) => [field, value[field]])) as Pick<T, K>;
}
