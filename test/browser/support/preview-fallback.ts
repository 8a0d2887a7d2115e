// TEMPORARY until the API serves the SPA: vite preview proxying /graphql to the API.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { WEB_DIR } from "./stack.js";

export async function startPreview(apiUrl: string): Promise<{ url: string; stop(): void }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const child = spawn(process.execPath, [join(WEB_DIR, "node_modules", "vite", "bin", "vite.js"), "preview", "--port", String(port), "--strictPort", "--host", "127.0.0.1"], {
    cwd: WEB_DIR,
    env: { ...process.env, LISTBILL_API_URL: apiUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve) => child.stdout!.on("data", (text: Buffer) => String(text).includes("Local") && resolve()));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
