import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type Server, createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticFiles } from "./static-files.js";

/** The built SPA as the API serves it in production: files, client routes, caching, no escape. */

const INDEX = "<!doctype html><title>listbill</title><script type=module src=/assets/index-abc123.js></script>";
const SCRIPT = `console.log(${JSON.stringify("x".repeat(4000))});`;
let dist: string;
let http: Server;
let base: string;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), "listbill-static-"));
  dist = join(root, "dist");
  mkdirSync(join(dist, "assets"), { recursive: true });
  writeFileSync(join(dist, "index.html"), INDEX);
  writeFileSync(join(dist, "assets", "index-abc123.js"), SCRIPT);
  writeFileSync(join(dist, "assets", "index-abc123.css"), "body{margin:0}");
  writeFileSync(join(root, "secret.txt"), "not for the web");
  const serve = staticFiles(dist)!;
  http = createServer((req, res) => serve(req, res, (req.url ?? "/").split("?")[0]!));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

/** A GET sent as written, without fetch's URL cleaning or decompression: status, encoding and raw body. */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; encoding?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${base}/`, { path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => resolve({ status: res.statusCode!, encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) }));
    }).on("error", reject);
  });
}

afterAll(async () => {
  await new Promise<void>((resolve) => http.close(() => resolve()));
  rmSync(join(dist, ".."), { recursive: true, force: true });
});

describe("the built SPA served by the API", () => {
  it("serves index.html at / and for client routes, always revalidated", async () => {
    for (const path of ["/", "/servers", "/servers/U2VydmVyOjE", "/errors?status=OPEN"]) {
      const response = await fetch(base + path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toBe(INDEX);
    }
  });

  it("serves hashed assets with their content type, cached for a year, gzipped when asked", async () => {
    const plain = await fetch(`${base}/assets/index-abc123.js`, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);

    const css = await fetch(`${base}/assets/index-abc123.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");

    // Raw bytes, to see the encoding on the wire (fetch would decompress on its own).
    const raw = await rawGet("/assets/index-abc123.js", { "accept-encoding": "gzip, br" });
    expect(raw.encoding).toBe("gzip");
    expect(raw.body.length).toBeLessThan(SCRIPT.length / 10);
    expect(gunzipSync(raw.body).toString()).toBe(SCRIPT);
  });

  it("answers 404 for a missing asset instead of index.html", async () => {
    const response = await fetch(`${base}/assets/index-old999.js`);
    expect(response.status).toBe(404);
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
  });

  it("never reads outside the build folder", async () => {
    // Sent as written (fetch would resolve the dots before sending), as curl --path-as-is does.
    expect((await rawGet("/index.html")).body.toString()).toBe(INDEX);
    for (const path of ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/assets/..%2f..%2fsecret.txt", "/..\\secret.txt"]) {
      const { status, body } = await rawGet(path);
      expect(body.toString(), path).not.toContain("not for the web");
      expect([200, 400, 403, 404], path).toContain(status);
    }
  });

  it("refuses anything but GET and HEAD", async () => {
    expect((await fetch(`${base}/servers`, { method: "POST", body: "x" })).status).toBe(405);
    const head = await fetch(`${base}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("is absent when there is no build, so the API serves GraphQL only", () => {
    expect(staticFiles(join(dist, "nowhere"))).toBeNull();
  });
});
