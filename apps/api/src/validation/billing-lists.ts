import { type EntityManager, MoreThan } from "typeorm";
import { List } from "../lists/list.entity.js";
import type { BillingList } from "./diff.js";

const PAGE = 2000;

/** Billing's lists of a server in name-key order, a page at a time (memory stays flat). */
export async function* billingLists(manager: EntityManager, serverId: number): AsyncGenerator<BillingList> {
  let after: string | undefined;
  for (;;) {
    const page = await manager.find(List, {
      select: { id: true, name: true, nameKey: true, siteId: true, description: true, topic: true, disabled: true, maxMembers: true, memberCount: true, memberCounts: true, customerId: true, removedAt: true },
      where: after === undefined ? { serverId } : { serverId, nameKey: MoreThan(after) },
      order: { nameKey: "ASC" },
      take: PAGE,
    });
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.nameKey;
  }
}
