import type { Services } from "../services.js";
import type { Loaders } from "./loaders.js";

/** What every resolver gets: the app's services and this request's loaders. */
export interface ApiContext {
  services: Services;
  loaders: Loaders;
  requestId: string;
}
