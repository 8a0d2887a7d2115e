import { nameKeyOf } from "../db/columns.js";
import { nameKey } from "@listbill/protocol";
import type { Database } from "../db/database.js";
import { toGlobalId } from "../graphql/global-id.js";
import { List } from "../lists/list.entity.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";

/**
 * Puts a mirrored inventory straight into billing's tables, as a sync would leave it, for tests
 * of the API that reads it. Returns the opaque IDs.
 */
export async function seedInventory(
  db: Database,
  shape: { servers: number; sitesPerServer: number; listsPerSite: number; membersPerList?: number; prefix?: string },
): Promise<{ serverIds: string[]; siteIds: string[]; listIds: string[] }> {
  const now = new Date();
  const prefix = shape.prefix ?? "seed";
  const serverIds: string[] = [];
  const siteIds: string[] = [];
  const listIds: string[] = [];
  await db.transaction(async (manager) => {
    for (let s = 0; s < shape.servers; s++) {
      const name = `${prefix}-server-${s}`;
      const server = await manager.save(Server, manager.create(Server, { name, nameKey: nameKeyOf(name), hostName: "127.0.0.1", port: 2021, createdAt: now, updatedAt: now }));
      serverIds.push(toGlobalId("Server", server.id));
      for (let t = 0; t < shape.sitesPerServer; t++) {
        const siteName = `site${t}`;
        const site = await manager.save(Site, manager.create(Site, { serverId: server.id, name: siteName, nameKey: siteName, hostName: `${siteName}.example.com`, description: null, createdAt: now, updatedAt: now }));
        siteIds.push(toGlobalId("Site", site.id));
        const lists = Array.from({ length: shape.listsPerSite }, (_, l) => {
          const listName = `${prefix}-s${s}-t${t}-list-${String(l).padStart(4, "0")}`;
          return manager.create(List, {
            serverId: server.id,
            siteId: site.id,
            name: listName,
            nameKey: nameKey(listName),
            description: `List ${l} of ${siteName}`,
            memberCount: shape.membersPerList ?? 10,
            createdAt: now,
            updatedAt: now,
          });
        });
        const inserted = await manager.insert(List, lists);
        for (const identifier of inserted.identifiers) listIds.push(toGlobalId("List", identifier.id as number));
      }
    }
  });
  return { serverIds, siteIds, listIds };
}
