import { print } from "graphql";
import { ValidationErrorsDocument } from "../../../apps/web/src/gql/graphql.js";
import type { ApiProcess } from "./api-process.js";
import { median } from "./results.js";

/** What an operator waits for when opening the errors page on one status after a validation. */
export interface ErrorsPageFigures {
  status: "OPEN" | "SUPERSEDED";
  /** The page's totalCount: every error of the fleet with that status. */
  totalCount: number;
  /** The median of three requests (the first is often slower: cold pages of the table). */
  ms: number;
  /** The first request alone. */
  firstMs: number;
}

const STATUSES = ["OPEN", "SUPERSEDED"] as const;
const TRIES = 3;

/**
 * The SPA's own ValidationErrors query (apps/web/src/gql: the first 100 errors with their server
 * and customer, and totalCount) for every server's errors of each status: OPEN, what the page
 * shows first; SUPERSEDED, what a validation just replaced. Each page is checked to hold what
 * its totalCount says it should.
 */
export async function measureErrorsPages(api: ApiProcess): Promise<ErrorsPageFigures[]> {
  const query = print(ValidationErrorsDocument);
  const figures: ErrorsPageFigures[] = [];
  for (const status of STATUSES) {
    const times: number[] = [];
    let totalCount = 0;
    for (let i = 0; i < TRIES; i++) {
      const started = performance.now();
      const data = await api.gql(query, { filter: { status: [status] } });
      times.push(performance.now() - started);
      const page = data.validationErrors as { totalCount: number; nodes: { status: string }[] };
      totalCount = page.totalCount;
      if (page.nodes.length !== Math.min(100, totalCount)) throw new Error(`the ${status} errors page held ${page.nodes.length} errors of ${totalCount}`);
      if (page.nodes.some((node) => node.status !== status)) throw new Error(`the ${status} errors page held errors of another status`);
    }
    figures.push({ status, totalCount, ms: median(times), firstMs: times[0]! });
  }
  return figures;
}
