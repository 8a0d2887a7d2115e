/** Every reason an auth mutation can refuse its input. */
export const AuthErrorCode = {
  /** Unknown username or wrong password: deliberately the same code for both. */
  INVALID_CREDENTIALS: "INVALID_CREDENTIALS",
  INVALID_USERNAME: "INVALID_USERNAME",
  DUPLICATE_USERNAME: "DUPLICATE_USERNAME",
  INVALID_PASSWORD: "INVALID_PASSWORD",
  USER_NOT_FOUND: "USER_NOT_FOUND",
  INVALID_TOKEN_NAME: "INVALID_TOKEN_NAME",
  INVALID_EXPIRY: "INVALID_EXPIRY",
  TOKEN_NOT_FOUND: "TOKEN_NOT_FOUND",
  INVALID_ROLE: "INVALID_ROLE",
  /** The change would leave no admin who can sign in. */
  LAST_ADMIN: "LAST_ADMIN",
  /** changePassword's currentPassword is not the caller's password. */
  WRONG_PASSWORD: "WRONG_PASSWORD",
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

export const userFieldCodes: Record<string, AuthErrorCode> = {
  username: AuthErrorCode.INVALID_USERNAME,
  password: AuthErrorCode.INVALID_PASSWORD,
};

export const updateUserFieldCodes: Record<string, AuthErrorCode> = {
  id: AuthErrorCode.USER_NOT_FOUND,
  role: AuthErrorCode.INVALID_ROLE,
  password: AuthErrorCode.INVALID_PASSWORD,
};

export const passwordFieldCodes: Record<string, AuthErrorCode> = {
  currentPassword: AuthErrorCode.WRONG_PASSWORD,
  newPassword: AuthErrorCode.INVALID_PASSWORD,
};

export const tokenFieldCodes: Record<string, AuthErrorCode> = {
  userId: AuthErrorCode.USER_NOT_FOUND,
  name: AuthErrorCode.INVALID_TOKEN_NAME,
  expiresAt: AuthErrorCode.INVALID_EXPIRY,
  id: AuthErrorCode.TOKEN_NOT_FOUND,
};
