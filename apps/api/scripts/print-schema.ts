import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { printSchemaFile } from "../src/graphql/print-schema.js";

const target = join(import.meta.dirname, "..", "schema.graphql");
writeFileSync(target, await printSchemaFile());
console.log(`wrote ${target}`);
