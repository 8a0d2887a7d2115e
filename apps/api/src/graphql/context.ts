import type { RequestAuth } from "../auth/request-auth.js";
import type { Services } from "../services.js";
import type { Loaders } from "./loaders.js";

/** What every resolver gets: the app's services, this request's loaders and its caller. */
export interface ApiContext {
  services: Services;
  loaders: Loaders;
  /** Loaders with empty caches, for a context that outlives one read (each event of a subscription). */
  newLoaders: () => Loaders;
  requestId: string;
  /** Who is calling, looked up on first use (see RequestAuth). */
  auth: RequestAuth;
}
