/** Every reason a server mutation can refuse its input. */
export const ServerErrorCode = {
  SERVER_NOT_FOUND: "SERVER_NOT_FOUND",
  DUPLICATE_NAME: "DUPLICATE_NAME",
  INVALID_NAME: "INVALID_NAME",
  INVALID_HOST_NAME: "INVALID_HOST_NAME",
  PORT_OUT_OF_RANGE: "PORT_OUT_OF_RANGE",
  INVALID_PASSWORD: "INVALID_PASSWORD",
  INVALID_COMMENTS: "INVALID_COMMENTS",
  SERVER_HAS_CUSTOMERS: "SERVER_HAS_CUSTOMERS",
  SERVER_BUSY: "SERVER_BUSY",
} as const;
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** Which code a refused input field gets. */
export const serverFieldCodes: Record<string, ServerErrorCode> = {
  id: ServerErrorCode.SERVER_NOT_FOUND,
  name: ServerErrorCode.INVALID_NAME,
  hostName: ServerErrorCode.INVALID_HOST_NAME,
  port: ServerErrorCode.PORT_OUT_OF_RANGE,
  password: ServerErrorCode.INVALID_PASSWORD,
  comments: ServerErrorCode.INVALID_COMMENTS,
};
