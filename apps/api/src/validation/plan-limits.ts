import { ValidationErrorCode as Code } from "./validation-codes.js";
import type { CustomerSummary, Finding } from "./diff.js";

/** A customer's lists on one site, and their counted members. */
export interface SiteUsage {
  /** "serverId:siteNameKey": sites of the same name on two servers are two sites. */
  siteKey: string | null;
  lists: number;
  members: number;
}

/**
 * Adds up what each customer uses, site by site, from the lists seen on the hosting server being
 * validated and (through `addOther`) billing's figures for the customer's lists elsewhere.
 * Memory grows with customers × sites, not with lists.
 */
export class PlanUsage {
  readonly #bySite = new Map<number, Map<string, SiteUsage>>();

  add(customerId: number, siteKey: string | null, lists: number, members: number): void {
    let sites = this.#bySite.get(customerId);
    if (!sites) this.#bySite.set(customerId, (sites = new Map()));
    const key = siteKey ?? "";
    const usage = sites.get(key) ?? { siteKey, lists: 0, members: 0 };
    usage.lists += lists;
    usage.members += members;
    sites.set(key, usage);
  }

  customerIds(): number[] {
    return [...this.#bySite.keys()];
  }

  /** Plan-limit findings for every customer seen, against its plan (0 = unlimited). */
  findings(customers: ReadonlyMap<number, CustomerSummary>): Finding[] {
    const findings: Finding[] = [];
    for (const [customerId, sites] of this.#bySite) {
      const customer = customers.get(customerId);
      const plan = customer?.plan;
      if (!customer || !plan) continue;
      const usage = [...sites.values()];
      const lists = usage.reduce((sum, site) => sum + site.lists, 0);
      const members = usage.reduce((sum, site) => sum + site.members, 0);
      const siteCount = usage.filter((site) => site.siteKey !== null && site.lists > 0).length;
      const busiest = usage.filter((site) => site.siteKey !== null).sort((a, b) => b.lists - a.lists)[0];
      const over = (code: Code, what: string, limitName: keyof typeof plan, actual: number) => {
        const limit = plan[limitName] as number;
        if (limit > 0 && actual > limit) {
          findings.push({
            code,
            objectKey: customer.company,
            customerId,
            message: `${customer.company} has ${actual} ${what}; plan ${plan.name} allows ${limit}`,
            billingValue: { [limitName]: limit },
            hostingValue: { actual },
          });
        }
      };
      over(Code.PLAN_MAX_LISTS_EXCEEDED, "lists", "maxLists", lists);
      over(Code.PLAN_MAX_SITES_EXCEEDED, "sites", "maxSites", siteCount);
      over(Code.PLAN_MAX_MEMBERS_EXCEEDED, "members", "maxMembers", members);
      if (busiest) over(Code.PLAN_MAX_LISTS_PER_SITE_EXCEEDED, `lists on one site (${busiest.siteKey!.split(":").slice(1).join(":")})`, "maxListsPerSite", busiest.lists);
    }
    return findings;
  }
}
