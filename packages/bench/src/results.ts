import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";

/** Where and on what a figure was measured: figures without it cannot be compared. */
export function machineLine(database: string): string {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = os.loadavg().map((value) => value.toFixed(2)).join(" ");
  return `${new Date().toISOString()} · ${cpu} · ${os.cpus().length} cores · Node ${process.version} · ${database} · load average at start ${load} · calibration ${calibrationMs().toFixed(0)} ms`;
}

/**
 * A fixed piece of single-threaded work, the kind validation does per list (JSON out and in, a
 * SHA-1 digest, a string built), timed best of three: the same code's figures on two days are
 * comparable only next to this. These machines' speed has swung 2.4× between sessions.
 */
export function calibrationMs(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    let digest = "";
    for (let i = 0; i < 50_000; i++) {
      const json = JSON.stringify({ name: `list-${i}`, site: `site-${i % 20}`, topic: null, description: `The list number ${i}`, disabled: false, maxMembers: i % 7 });
      const back = JSON.parse(json) as { name: string };
      digest = createHash("sha1").update(`${back.name},${json},${digest}`).digest("base64url");
    }
    best = Math.min(best, performance.now() - started);
    if (digest.length !== 27) throw new Error("calibration went wrong");
  }
  return best;
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

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
