import { In, type Repository } from "typeorm";
import { fromGlobalId } from "../graphql/global-id.js";
import { type UserError, UserInputFailure, refuse, userError } from "../graphql/user-error.js";
import type { Server } from "./server.entity.js";

/** How many servers one call may name. */
export const MAX_SERVERS_PER_CALL = 1000;

/**
 * The row ids of the servers an input's `serverIds` names, each once: more than
 * MAX_SERVERS_PER_CALL refuses the call (TOO_MANY_SERVERS), and so does any ID no server has,
 * each named by its index (SERVER_NOT_FOUND).
 */
export async function namedServerIds(servers: Repository<Server>, named: string[]): Promise<number[]> {
  if (named.length > MAX_SERVERS_PER_CALL) refuse("TOO_MANY_SERVERS", `At most ${MAX_SERVERS_PER_CALL} servers per call`, ["input", "serverIds"]);
  const errors: UserError[] = [];
  const ids = named.map((globalId, index) => {
    const id = fromGlobalId("Server", globalId);
    if (id === null) errors.push(userError("SERVER_NOT_FOUND", `No server has the ID "${globalId}"`, ["input", "serverIds", String(index)]));
    return id ?? 0;
  });
  if (errors.length) throw new UserInputFailure(errors);
  const unique = [...new Set(ids)];
  const found = new Set(unique.length ? (await servers.find({ select: { id: true }, where: { id: In(unique) } })).map((server) => server.id) : []);
  ids.forEach((id, index) => {
    if (!found.has(id)) errors.push(userError("SERVER_NOT_FOUND", `No server has the ID "${named[index]}"`, ["input", "serverIds", String(index)]));
  });
  if (errors.length) throw new UserInputFailure(errors);
  return unique;
}
