import { registerEnumType } from "type-graphql";

export enum ValidationErrorCode {
  SERVER_UNREACHABLE = "SERVER_UNREACHABLE",
  AUTH_FAILED = "AUTH_FAILED",
  HOST_NOT_ALLOWED = "HOST_NOT_ALLOWED",
  VERSION_CHANGED = "VERSION_CHANGED",
  VERSION_UNSUPPORTED = "VERSION_UNSUPPORTED",
  NEW_SITE = "NEW_SITE",
  NEW_LIST = "NEW_LIST",
  MISSING_SITE = "MISSING_SITE",
  MISSING_LIST = "MISSING_LIST",
  SITE_CHANGED = "SITE_CHANGED",
  LIST_CHANGED = "LIST_CHANGED",
  LIST_RECREATED = "LIST_RECREATED",
  LIST_UNASSIGNED = "LIST_UNASSIGNED",
  LIST_ON_INACTIVE_CUSTOMER = "LIST_ON_INACTIVE_CUSTOMER",
  PLAN_MAX_LISTS_EXCEEDED = "PLAN_MAX_LISTS_EXCEEDED",
  PLAN_MAX_LISTS_PER_SITE_EXCEEDED = "PLAN_MAX_LISTS_PER_SITE_EXCEEDED",
  PLAN_MAX_SITES_EXCEEDED = "PLAN_MAX_SITES_EXCEEDED",
  PLAN_MAX_MEMBERS_EXCEEDED = "PLAN_MAX_MEMBERS_EXCEEDED",
  PLAN_MAX_MEMBERS_PER_LIST_EXCEEDED = "PLAN_MAX_MEMBERS_PER_LIST_EXCEEDED",
  LOGGING_DISABLED = "LOGGING_DISABLED",
  LOG_RESTARTED = "LOG_RESTARTED",
}
registerEnumType(ValidationErrorCode, { name: "ValidationErrorCode" });

export enum Severity {
  ERROR = "ERROR",
  WARNING = "WARNING",
  INFO = "INFO",
}
registerEnumType(Severity, { name: "Severity" });

export enum ObjectType {
  SERVER = "SERVER",
  SITE = "SITE",
  LIST = "LIST",
  CUSTOMER = "CUSTOMER",
}
registerEnumType(ObjectType, { name: "ObjectType" });

export enum ValidationErrorStatus {
  OPEN = "OPEN",
  FIXED = "FIXED",
  IGNORED = "IGNORED",
  SUPERSEDED = "SUPERSEDED",
}
registerEnumType(ValidationErrorStatus, { name: "ValidationErrorStatus" });

interface CodeRule {
  severity: Severity;
  objectType: ObjectType;
  /** Whether "fix selected objects" can resolve it. */
  fixable: boolean;
  /** What an operator does about it when fix cannot. */
  remedy: string;
}

/** Severity, object and fixability of each code: the one table the engine, fix and UI read. */
export const CODE_RULES: Record<ValidationErrorCode, CodeRule> = {
  SERVER_UNREACHABLE: { severity: Severity.ERROR, objectType: ObjectType.SERVER, fixable: false, remedy: "Check that the agent runs and the host name and port are right, then validate again." },
  AUTH_FAILED: { severity: Severity.ERROR, objectType: ObjectType.SERVER, fixable: false, remedy: "Set the server's password to the agent's, then validate again." },
  HOST_NOT_ALLOWED: { severity: Severity.ERROR, objectType: ObjectType.SERVER, fixable: false, remedy: "Add the billing server's IP address to the agent's allow-list (TCLPORT Hosts)." },
  VERSION_CHANGED: { severity: Severity.INFO, objectType: ObjectType.SERVER, fixable: true, remedy: "Fix accepts the new version." },
  VERSION_UNSUPPORTED: { severity: Severity.ERROR, objectType: ObjectType.SERVER, fixable: false, remedy: "Upgrade ListManager on the hosting server." },
  NEW_SITE: { severity: Severity.WARNING, objectType: ObjectType.SITE, fixable: true, remedy: "Fix adds the site to billing." },
  NEW_LIST: { severity: Severity.ERROR, objectType: ObjectType.LIST, fixable: true, remedy: "Fix adds the list to billing; then assign it to a customer." },
  MISSING_SITE: { severity: Severity.WARNING, objectType: ObjectType.SITE, fixable: true, remedy: "Fix with removals allowed marks the site removed in billing." },
  MISSING_LIST: { severity: Severity.WARNING, objectType: ObjectType.LIST, fixable: true, remedy: "Fix with removals allowed marks the list removed and ends its assignment." },
  SITE_CHANGED: { severity: Severity.WARNING, objectType: ObjectType.SITE, fixable: true, remedy: "Fix copies the hosting server's values into billing." },
  LIST_CHANGED: { severity: Severity.WARNING, objectType: ObjectType.LIST, fixable: true, remedy: "Fix copies the hosting server's values into billing." },
  LIST_RECREATED: {
    severity: Severity.ERROR,
    objectType: ObjectType.LIST,
    fixable: true,
    remedy: "Fix with removals allowed ends the deleted list's own assignments the day before the new list was created and records the new list; then assign it to its owner, the same customer again if it made it.",
  },
  LIST_UNASSIGNED: { severity: Severity.ERROR, objectType: ObjectType.LIST, fixable: false, remedy: "Assign the list to a customer, or its whole site or server (on the server's page)." },
  LIST_ON_INACTIVE_CUSTOMER: { severity: Severity.WARNING, objectType: ObjectType.LIST, fixable: false, remedy: "Reactivate the customer or assign the list to another one." },
  PLAN_MAX_LISTS_EXCEEDED: { severity: Severity.ERROR, objectType: ObjectType.CUSTOMER, fixable: false, remedy: "Move the customer to a larger plan or remove lists." },
  PLAN_MAX_LISTS_PER_SITE_EXCEEDED: { severity: Severity.ERROR, objectType: ObjectType.CUSTOMER, fixable: false, remedy: "Move the customer to a larger plan or spread the lists over sites." },
  PLAN_MAX_SITES_EXCEEDED: { severity: Severity.ERROR, objectType: ObjectType.CUSTOMER, fixable: false, remedy: "Move the customer to a larger plan." },
  PLAN_MAX_MEMBERS_EXCEEDED: { severity: Severity.ERROR, objectType: ObjectType.CUSTOMER, fixable: false, remedy: "Move the customer to a larger plan." },
  PLAN_MAX_MEMBERS_PER_LIST_EXCEEDED: { severity: Severity.ERROR, objectType: ObjectType.LIST, fixable: false, remedy: "Move the customer to a larger plan." },
  LOGGING_DISABLED: { severity: Severity.WARNING, objectType: ObjectType.SERVER, fixable: false, remedy: "Turn on message logging in ListManager, or usage cannot be billed." },
  LOG_RESTARTED: {
    severity: Severity.ERROR,
    objectType: ObjectType.SERVER,
    fixable: true,
    remedy: "Check that the host name still points at this hosting server, then fix: its log is imported again after the last row billing already has.",
  },
};

/** The codes whose rule passes `test`: severity, object type and fixable are filtered as codes. */
export function codesWhere(test: (rule: CodeRule) => boolean): ValidationErrorCode[] {
  return (Object.keys(CODE_RULES) as ValidationErrorCode[]).filter((code) => test(CODE_RULES[code]));
}

type NamedCode = ValidationErrorCode.NEW_SITE | ValidationErrorCode.MISSING_SITE | ValidationErrorCode.NEW_LIST | ValidationErrorCode.MISSING_LIST | ValidationErrorCode.LIST_UNASSIGNED | ValidationErrorCode.LOGGING_DISABLED;

/** The codes whose message says nothing but the object's name, with that message. */
const NAMED_MESSAGES: Record<NamedCode, (name: string) => string> = {
  NEW_SITE: (name) => `Site ${name} is on the hosting server but not in billing`,
  MISSING_SITE: (name) => `Site ${name} is in billing but gone from the hosting server`,
  NEW_LIST: (name) => `List ${name} is on the hosting server but not in billing, so nobody is billed for it`,
  MISSING_LIST: (name) => `List ${name} is in billing but gone from the hosting server`,
  LIST_UNASSIGNED: (name) => `List ${name} is not assigned to a customer, so nobody is billed for it`,
  LOGGING_DISABLED: (name) => `Message logging is off on ${name}, so its usage cannot be billed`,
};

export function namedMessage(code: NamedCode, name: string): string {
  return NAMED_MESSAGES[code](name);
}

/**
 * A message as a row stores it: empty when it is its code's named message of the row's objectKey
 * (the first validation of a server writes 100,000 NEW_LIST rows, and the text was a quarter of
 * each), otherwise the text. messageShown reverses it.
 */
export function messageStored(code: ValidationErrorCode, objectKey: string, message: string): string {
  const named = NAMED_MESSAGES[code as NamedCode];
  return named && named(objectKey) === message ? "" : message;
}

/** A row's message as shown: its stored text, or its code's named message of objectKey when it stores none. */
export function messageShown(code: ValidationErrorCode, objectKey: string, stored: string): string {
  if (stored !== "") return stored;
  const named = NAMED_MESSAGES[code as NamedCode];
  return named ? named(objectKey) : "";
}
