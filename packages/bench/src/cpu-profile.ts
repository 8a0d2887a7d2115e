import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  selfMs: number;
  share: number;
}

/**
 * Where a .cpuprofile's time went, by self time: per function, and per place (a package in
 * node_modules, a folder of apps/api/src, or node's own internals).
 */
export function summarizeCpuProfile(path: string, top = 15): { totalMs: number; functions: HotSpot[]; places: HotSpot[] } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((nodeId, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    const frame = frames.get(nodeId)!;
    totalUs += us;
    const where = placeOf(frame.url, frame.functionName);
    const fn = `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPlace.set(where, (byPlace.get(where) ?? 0) + us);
  });
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, functions: rank(byFunction), places: rank(byPlace) };
}

function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(apps|packages)\/([^/]+)\/src\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}/src/${own[3]}`;
  if (url.startsWith("node:")) return url;
  return shortUrl(url);
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, "").replace(/.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, "").replace(/.*\/(apps|packages)\//, "$1/");
}
