import { Field, ID, InputType, ObjectType } from "type-graphql";
import { z } from "zod";
import { ConnectionType } from "../graphql/connection.js";
import { UserError } from "../graphql/user-error.js";
import { nameField } from "../graphql/validators.js";
import { ApiToken } from "./api-token.entity.js";
import { Role } from "./role.js";
import { User } from "./user.entity.js";

export const UserConnection = ConnectionType(User, "User");
export const ApiTokenConnection = ConnectionType(ApiToken, "ApiToken");

@InputType()
export class LoginInput {
  @Field()
  username!: string;

  @Field()
  password!: string;
}

@ObjectType()
export class LoginPayload {
  @Field(() => String, { nullable: true, description: "Always null: the session is an httpOnly cookie set on this response" })
  token?: string | null;

  @Field(() => User, { nullable: true })
  user?: User | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class CreateUserInput {
  @Field({ description: "Unique (case-insensitive), 3-100 of letters, digits and . _ @ -" })
  username!: string;

  @Field({ description: "12-200 characters" })
  password!: string;

  @Field(() => Role)
  role!: Role;
}

@InputType({ description: "Absent fields keep their value" })
export class UpdateUserInput {
  @Field(() => ID)
  id!: string;

  @Field(() => Role, { nullable: true })
  role?: Role | null;

  @Field(() => String, { nullable: true, description: "A new password, 12-200 characters: the user's browser sessions end (its API tokens go on working)" })
  password?: string | null;

  @Field(() => Boolean, { nullable: true, description: "true: the user can no longer sign in, its browser sessions end, and its API tokens stop working until it is enabled again (false); what it did stays in the audit log" })
  disabled?: boolean | null;
}

@InputType()
export class ChangePasswordInput {
  @Field({ description: "The caller's password now" })
  currentPassword!: string;

  @Field({ description: "12-200 characters" })
  newPassword!: string;
}

@ObjectType()
export class ChangePasswordPayload {
  @Field(() => Boolean, { description: "Whether the password changed (false: the same password again, or refused)" })
  changed!: boolean;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class UserPayload {
  @Field(() => User, { nullable: true })
  user?: User | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => ID, { description: "The user the token acts as (with that user's role)" })
  userId!: string;

  @Field({ description: "What the token is for, 1-100 characters" })
  name!: string;

  @Field(() => Date, { nullable: true, description: "When the token stops working; absent: never" })
  expiresAt?: Date | null;
}

@ObjectType()
export class CreateApiTokenPayload {
  @Field(() => String, { nullable: true, description: "The token, shown this once: send it as `Authorization: Bearer <token>`" })
  token?: string | null;

  @Field(() => ApiToken, { nullable: true })
  apiToken?: ApiToken | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class RevokeApiTokenInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType()
export class RevokeApiTokenPayload {
  @Field(() => ApiToken, { nullable: true })
  apiToken?: ApiToken | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class ApiTokenFilter {
  @Field(() => ID, { nullable: true })
  userId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "true: only usable tokens; false: only revoked or expired ones" })
  active?: boolean | null;

  @Field(() => Date, { nullable: true, description: "Only tokens not used since this instant, those never used included: the ones to ask about before revoking" })
  unusedSince?: Date | null;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

export const passwordField = z
  .string()
  .min(12, "Password must be at least 12 characters")
  .max(200, "Password must be at most 200 characters");

export const createUserSchema = z.object({
  username: z
    .string()
    .trim()
    .min(3, "Username must be 3 to 100 characters")
    .max(100, "Username must be 3 to 100 characters")
    .regex(USERNAME_PATTERN, "Username may contain only letters, digits and . _ @ - (starting with a letter or digit)"),
  password: passwordField,
  role: z.enum(Role),
});

export const updateUserSchema = z.object({
  id: z.string(),
  role: z.enum(Role).nullish(),
  password: passwordField.nullish(),
  disabled: z.boolean().nullish(),
});

export const changePasswordSchema = z.object({
  currentPassword: z.string().max(200, "Wrong password"),
  newPassword: passwordField,
});

export const createApiTokenSchema = z.object({
  userId: z.string(),
  name: nameField("Token name", 100),
  expiresAt: z
    .date()
    .nullish()
    .refine((value) => value == null || value.getTime() > Date.now(), "Expiry must be in the future"),
});
