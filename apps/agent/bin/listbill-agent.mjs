#!/usr/bin/env node
// The sources are TypeScript run directly; the oxc hooks compile them on load.
import "@oxc-node/core/register";

await import("../src/cli.ts");
