import { InitialSchema1764144000000 } from "./1764144000000-initial-schema.js";

/** Every migration, oldest first. Add new ones at the end; never edit one that has shipped. */
export const migrations = [InitialSchema1764144000000];
