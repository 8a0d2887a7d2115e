import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

/** Where and on what a figure was measured: figures without it cannot be compared. */
export function machineLine(database: string): string {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = os.loadavg().map((value) => value.toFixed(2)).join(" ");
  return `${new Date().toISOString()} · ${cpu} · ${os.cpus().length} cores · Node ${process.version} · ${database} · load average at start ${load}`;
}

const HEADER = "# listbill benchmark results\n\nWritten by `pnpm bench` (packages/bench); each section is rewritten by the benchmark that owns it.\n";

/** Replaces the `## title` section of the results file (or appends it), leaving the others as they are. */
export function writeSection(path: string, title: string, body: string): void {
  const current = existsSync(path) ? readFileSync(path, "utf8") : HEADER;
  const heading = `## ${title}\n`;
  const section = `${heading}\n${body.trim()}\n`;
  const start = current.indexOf(heading);
  if (start < 0) {
    writeFileSync(path, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf("\n## ", start + heading.length);
  const rest = next < 0 ? "" : current.slice(next + 1);
  writeFileSync(path, `${current.slice(0, start)}${section}${rest ? `\n${rest}` : ""}`);
}

export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
