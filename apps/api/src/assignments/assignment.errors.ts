/** Every reason assignLists / unassignLists can refuse its input. */
export const AssignmentErrorCode = {
  NO_LISTS_SELECTED: "NO_LISTS_SELECTED",
  TOO_MANY_LISTS: "TOO_MANY_LISTS",
  LIST_NOT_FOUND: "LIST_NOT_FOUND",
  LIST_REMOVED: "LIST_REMOVED",
  CUSTOMER_NOT_FOUND: "CUSTOMER_NOT_FOUND",
  CUSTOMER_INACTIVE: "CUSTOMER_INACTIVE",
  INVALID_DATE: "INVALID_DATE",
  INHERITED_ASSIGNMENT: "INHERITED_ASSIGNMENT",
} as const;

/** How many lists one assign or unassign call may name. */
export const MAX_LISTS_PER_CALL = 1000;
