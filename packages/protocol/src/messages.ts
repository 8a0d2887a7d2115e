import { z } from "zod";
import { REMOTE_ERROR_CODES } from "./errors.js";

/** ListManager's own TCL port and password defaults, which the agent mirrors. */
export const DEFAULT_AGENT_PORT = 2021;
export const DEFAULT_AGENT_PASSWORD = "TCLPORTPasswd";
/** A line longer than this is rejected unread: no legitimate message comes near it. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Lists one lists request may name; more are read as every list. */
export const MAX_NAMED_LISTS = 1000;
/** ListManager list names are e-mail local parts: far shorter. */
const MAX_LIST_NAME_LENGTH = 255;

const requestId = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const noParams = z.strictObject({}).optional();

/** Parameters of each command; a command missing here is UNKNOWN_COMMAND. */
export const commandParams = {
  auth: z.strictObject({ password: z.string().max(1024) }),
  serverInfo: noParams,
  sites: noParams,
  lists: z
    .strictObject({
      withMemberCounts: z.boolean().optional(),
      withBilledMembers: z.boolean().optional(),
      // Only these lists, matched by name key (any case of ASCII letters): a few, not a server's worth.
      names: z.array(z.string().min(1).max(MAX_LIST_NAME_LENGTH)).min(1).max(MAX_NAMED_LISTS).optional(),
    })
    .optional(),
  memberCounts: noParams,
  logEntries: z.strictObject({ afterId: z.int().min(0), limit: z.int().min(1).max(100_000) }),
  loggingEnabled: noParams,
  // Stops a stream the client no longer wants; the agent ends it with a terminal line.
  cancel: z.strictObject({ requestId }),
} as const;
export type CommandName = keyof typeof commandParams;
export type CommandParams<C extends CommandName> = z.infer<(typeof commandParams)[C]>;

/** The envelope of every client line; params are checked per command afterwards. */
export const requestEnvelope = z.strictObject({
  id: requestId,
  command: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export type RequestEnvelope = z.infer<typeof requestEnvelope>;

const isoUtc = z.iso.datetime();
const nullableText = z.string().nullable();

export const serverInfoSchema = z.strictObject({
  product: z.string(),
  version: z.string(),
  serverName: z.string(),
  /** Lists on the server now; optional so an older agent still answers. */
  listCount: z.int().min(0).optional(),
});
export type ServerInfo = z.infer<typeof serverInfoSchema>;

export const siteSchema = z.strictObject({
  id: z.int(),
  name: z.string(),
  hostName: nullableText,
  title: nullableText,
});
export type HostingSite = z.infer<typeof siteSchema>;

const count = z.int().min(0);
export const memberCountsSchema = z.strictObject({
  normal: count,
  held: count,
  unsub: count,
  confirm: count,
  private: count,
  expired: count,
  other: count,
});
export type MemberCounts = z.infer<typeof memberCountsSchema>;
export const MEMBER_STATUSES = ["normal", "held", "unsub", "confirm", "private", "expired"] as const;
/** The statuses of the members ListManager bills for, which hosting plans limit. */
export const BILLED_MEMBER_STATUSES = ["normal", "held"] as const satisfies readonly (typeof MEMBER_STATUSES)[number][];

export const listSchema = z.strictObject({
  id: z.int(),
  name: z.string(),
  /** The site of the list's topic; null when the topic names no known site. */
  site: nullableText,
  topic: nullableText,
  description: nullableText,
  created: isoUtc.nullable(),
  disabled: z.boolean(),
  /** 0 means unlimited. */
  maxMembers: count,
  /** Counts by status, when the stream was asked withMemberCounts. */
  memberCounts: memberCountsSchema.optional(),
  /**
   * The billed members alone (BILLED_MEMBER_STATUSES), when the stream was asked
   * withBilledMembers and not withMemberCounts: on SQLite with the members_ (List_, MemberType_)
   * index, two seeks a list for the agent instead of seven; elsewhere a lighter grouped scan.
   */
  billedMembers: count.optional(),
});
export type HostingList = z.infer<typeof listSchema>;

/** A list's billed members, from whichever figures its stream carried (0 without either). */
export function billedMembers(list: Pick<HostingList, "memberCounts" | "billedMembers">): number {
  if (list.billedMembers !== undefined) return list.billedMembers;
  const counts = list.memberCounts;
  return counts ? BILLED_MEMBER_STATUSES.reduce((sum, status) => sum + counts[status], 0) : 0;
}

export const listMemberCountsSchema = z.strictObject({ list: z.string(), counts: memberCountsSchema });
export type HostingListMemberCounts = z.infer<typeof listMemberCountsSchema>;

export const logEntrySchema = z.strictObject({
  id: z.int().min(0),
  created: isoUtc,
  list: nullableText,
  site: nullableText,
  byteCount: z.int(),
  recipientCount: z.int(),
  outmailId: z.int().nullable(),
  subsetId: z.int().nullable(),
  source: nullableText,
  title: nullableText,
});
export type HostingLogEntry = z.infer<typeof logEntrySchema>;

export const loggingEnabledSchema = z.strictObject({ enabled: z.boolean() });
export const authResultSchema = z.strictObject({ authenticated: z.literal(true) });

/** What each command answers: one result line, or records ending with a terminal line. */
export const commandAnswers = {
  auth: { kind: "result", schema: authResultSchema },
  serverInfo: { kind: "result", schema: serverInfoSchema },
  loggingEnabled: { kind: "result", schema: loggingEnabledSchema },
  sites: { kind: "stream", schema: siteSchema },
  lists: { kind: "stream", schema: listSchema },
  memberCounts: { kind: "stream", schema: listMemberCountsSchema },
  logEntries: { kind: "stream", schema: logEntrySchema },
} as const;

/** Every line the agent sends. `id` is null only for errors not tied to a request. */
export const responseLine = z.discriminatedUnion("type", [
  z.strictObject({ id: requestId, type: z.literal("result"), data: z.unknown() }),
  z.strictObject({ id: requestId, type: z.literal("record"), data: z.unknown() }),
  z.strictObject({ id: requestId, type: z.literal("end"), count: count, cancelled: z.boolean().optional() }),
  z.strictObject({ id: requestId.nullable(), type: z.literal("error"), code: z.enum(REMOTE_ERROR_CODES), message: z.string().max(1000) }),
]);
export type ResponseLine = z.infer<typeof responseLine>;

/**
 * Describes a schema failure by paths and issue codes only: never by values, so a password sent
 * in the wrong place is not echoed back or logged.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(message)"}: ${issue.code}`)
    .join("; ");
}
