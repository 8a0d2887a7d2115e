/** Every reason the assign and unassign mutations (of lists, whole sites, whole servers) can refuse their input. */
export const AssignmentErrorCode = {
  NO_LISTS_SELECTED: "NO_LISTS_SELECTED",
  TOO_MANY_LISTS: "TOO_MANY_LISTS",
  LIST_NOT_FOUND: "LIST_NOT_FOUND",
  LIST_REMOVED: "LIST_REMOVED",
  NO_SITES_SELECTED: "NO_SITES_SELECTED",
  TOO_MANY_SITES: "TOO_MANY_SITES",
  SITE_NOT_FOUND: "SITE_NOT_FOUND",
  SITE_REMOVED: "SITE_REMOVED",
  NO_SERVERS_SELECTED: "NO_SERVERS_SELECTED",
  TOO_MANY_SERVERS: "TOO_MANY_SERVERS",
  SERVER_NOT_FOUND: "SERVER_NOT_FOUND",
  CUSTOMER_NOT_FOUND: "CUSTOMER_NOT_FOUND",
  CUSTOMER_INACTIVE: "CUSTOMER_INACTIVE",
  INVALID_DATE: "INVALID_DATE",
  INHERITED_ASSIGNMENT: "INHERITED_ASSIGNMENT",
} as const;

/** How many lists one assign or unassign call may name. */
export const MAX_LISTS_PER_CALL = 1000;

/** How many sites or servers one assign or unassign call may name. */
export const MAX_WHOLES_PER_CALL = 1000;
