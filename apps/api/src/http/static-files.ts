import { existsSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** The built SPA of @listbill/web, beside this package in the repository. */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL("../../../web/dist", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite names every built asset after its content hash, so a URL under /assets/ never changes meaning. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html names the current assets: always revalidate it, or a deploy is not picked up. */
const REVALIDATE = "no-cache";

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, path: string) => void;

/**
 * Serves the built SPA from `root`: files as they are, with their content type and cache
 * policy, and index.html for any other GET (a client route such as /servers/123, reloaded).
 * Returns null when `root` holds no build (the API then serves GraphQL only, as in development
 * where Vite serves the SPA).
 */
export function staticFiles(root: string): StaticHandler | null {
  const base = resolve(root);
  const index = join(base, "index.html");
  if (!existsSync(index)) return null;
  return (req, res, path) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("Method not allowed\n");
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end("Bad request\n");
      return;
    }
    // normalize() folds "..": a path that leaves the build folder is never read.
    const file = normalize(join(base, decoded));
    const inside = file === base || file.startsWith(base + sep);
    const found = inside && file !== base && isFile(file);
    if (found) return send(req, res, file, decoded.startsWith("/assets/") ? IMMUTABLE : REVALIDATE);
    // A missing hashed asset is a stale page asking for an old build: a 404, not index.html
    // served as JavaScript. Everything else without a file extension is a client route.
    if (decoded.startsWith("/assets/") || extname(decoded) !== "") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end("Not found\n");
      return;
    }
    send(req, res, index, REVALIDATE);
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt"]);

interface Body {
  mtimeMs: number;
  raw: Buffer;
  gzip: Buffer | null;
}

/**
 * A build is a few hundred KB: each file is read and gzipped once (again only when it changes
 * on disk), so the first load costs the network its gzip size and the CPU nothing.
 */
const bodies = new Map<string, Body>();

function bodyOf(file: string): Body {
  const { mtimeMs } = statSync(file);
  const cached = bodies.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached;
  const raw = readFileSync(file);
  const body = { mtimeMs, raw, gzip: COMPRESSIBLE.has(extname(file)) && raw.length > 1024 ? gzipSync(raw) : null };
  bodies.set(file, body);
  return body;
}

function send(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): void {
  const body = bodyOf(file);
  const gzip = body.gzip !== null && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const payload = gzip ? body.gzip! : body.raw;
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": payload.length,
    "cache-control": cacheControl,
    "x-content-type-options": "nosniff",
    vary: "accept-encoding",
    ...(gzip ? { "content-encoding": "gzip" } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : payload);
}
