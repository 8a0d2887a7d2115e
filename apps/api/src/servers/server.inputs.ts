import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { z } from "zod";
import { UserError } from "../graphql/user-error.js";
import { isHostName, nameField, optionalText } from "../graphql/validators.js";
import { Server, ServerStatus } from "./server.entity.js";

@InputType()
export class CreateServerInput {
  @Field({ description: "Unique name (case-insensitive), at most 100 characters" })
  name!: string;

  @Field({ description: "DNS name or IPv4/IPv6 address the agent listens on" })
  hostName!: string;

  @Field(() => Int, { nullable: true, description: "Agent port, 1-65535; default 2021" })
  port?: number | null;

  @Field(() => String, { nullable: true, description: "Agent password (write-only); absent: ListManager's default" })
  password?: string | null;

  @Field(() => String, { nullable: true })
  comments?: string | null;

  @Field(() => Boolean, { nullable: true })
  autoSync?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Reach the agent over TLS (it serves with --tls-cert); default false" })
  tls?: boolean | null;
}

@InputType()
export class UpdateServerInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  hostName?: string | null;

  @Field(() => Int, { nullable: true })
  port?: number | null;

  @Field(() => String, { nullable: true, description: "New agent password; null returns to ListManager's default; absent keeps it" })
  password?: string | null;

  @Field(() => String, { nullable: true })
  comments?: string | null;

  @Field(() => Boolean, { nullable: true })
  autoSync?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Reach the agent over TLS (it serves with --tls-cert); default false" })
  tls?: boolean | null;
}

@InputType()
export class DeleteServerInput {
  @Field(() => ID)
  id!: string;
}

@InputType()
export class ServerFilter {
  @Field(() => String, { nullable: true, description: "Name or host name contains this text (case-insensitive)" })
  nameContains?: string | null;

  @Field(() => [ServerStatus], { nullable: true })
  status?: ServerStatus[] | null;

  @Field(() => Boolean, { nullable: true })
  autoSync?: boolean | null;
}

@ObjectType()
export class ServerPayload {
  @Field(() => Server, { nullable: true })
  server?: Server | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class DeleteServerPayload {
  @Field(() => ID, { nullable: true })
  deletedServerId?: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

const hostName = z.string().trim().min(1, "Host name must not be empty").refine(isHostName, "Host name must be a DNS name or an IPv4/IPv6 address");
const port = z.number().int().min(1, "Port must be from 1 to 65535").max(65535, "Port must be from 1 to 65535");
const password = z.string().min(1, "Password must not be empty").max(200, "Password must be at most 200 characters");

export const createServerSchema = z.object({
  name: nameField("Name", 100),
  hostName,
  port: port.nullish().transform((value) => value ?? 2021),
  password: password.nullish(),
  comments: optionalText("Comments", 2000),
  autoSync: z.boolean().nullish().transform((value) => value ?? false),
  tls: z.boolean().nullish().transform((value) => value ?? false),
});

export const updateServerSchema = z.object({
  name: nameField("Name", 100).nullish().transform((value) => value ?? undefined),
  hostName: hostName.nullish().transform((value) => value ?? undefined),
  port: port.nullish().transform((value) => value ?? undefined),
  password: password.nullish(),
  comments: optionalText("Comments", 2000),
  autoSync: z.boolean().nullish().transform((value) => value ?? undefined),
  tls: z.boolean().nullish().transform((value) => value ?? undefined),
});

export type CreateServer = z.output<typeof createServerSchema>;
export type UpdateServer = z.output<typeof updateServerSchema>;
