import type { Database } from "../db/database.js";
import { prefixPattern } from "../db/sql.js";
import { type Page, type PageArgs, paginate } from "../graphql/connection.js";
import { AuditEntry } from "./audit-entry.entity.js";

export interface AuditFilter {
  objectType?: string | null;
  objectId?: string | null;
  actor?: string | null;
  actionPrefix?: string | null;
}

export class AuditService {
  constructor(private readonly db: Database) {}

  /** Newest first. */
  page(args: PageArgs, filter: AuditFilter | null | undefined): Promise<Page<AuditEntry>> {
    const query = this.db.manager.getRepository(AuditEntry).createQueryBuilder("entry");
    if (filter?.objectType) query.andWhere("entry.objectType = :objectType", { objectType: filter.objectType });
    if (filter?.objectId) query.andWhere("entry.objectId = :objectId", { objectId: filter.objectId });
    if (filter?.actor) query.andWhere("entry.actor = :actor", { actor: filter.actor });
    if (filter?.actionPrefix) query.andWhere("entry.action LIKE :prefix ESCAPE '!'", { prefix: prefixPattern(filter.actionPrefix) });
    return paginate(query, args, [{ column: "entry.id", value: (entry) => entry.id, descending: true }]);
  }
}
