export { DEFAULT_FIRST_RECORD_TIMEOUT_MS, HostingClient, type HostingClientOptions, type HostingClientTls } from "./client.js";
export {
  errorFromRemote, HOSTING_ERROR_CODES, HostingError, REMOTE_ERROR_CODES,
  type HostingErrorCode, type RemoteErrorCode,
} from "./errors.js";
export { LineSplitter, type SplitLine } from "./line-splitter.js";
export {
  authResultSchema, BILLED_MEMBER_STATUSES, billedMembers, commandAnswers, commandParams, DEFAULT_AGENT_PASSWORD, DEFAULT_AGENT_PORT, describeIssues,
  listMemberCountsSchema, listSchema, loggingEnabledSchema, logEntrySchema, MAX_LINE_BYTES, MAX_NAMED_LISTS, MEMBER_STATUSES,
  memberCountsSchema, requestEnvelope, responseLine, serverInfoSchema, siteSchema,
  type CommandName, type CommandParams, type HostingList, type HostingListMemberCounts, type HostingLogEntry,
  type HostingSite, type MemberCounts, type RequestEnvelope, type ResponseLine, type ServerInfo,
} from "./messages.js";
export { compareNameKeys, compareNames, nameKey } from "./names.js";
