import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The repository this benchmark runs from. */
const REPOSITORY = join(import.meta.dirname, "..", "..", "..");

export interface Checkout {
  /** What the figures are labelled with: a short commit, "+ changes" when the work tree differs. */
  label: string;
  /** Its apps/api folder, for startApiProcess. */
  apiDir: string;
}

function git(args: string[], cwd = REPOSITORY): string {
  const run = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${run.stderr.trim()}`);
  return run.stdout.trim();
}

/** This checkout, as it is on disk. */
export function thisCheckout(): Checkout {
  const commit = git(["rev-parse", "--short=10", "HEAD"]);
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
  return { label: dirty ? `${commit} + changes` : commit, apiDir: join(REPOSITORY, "apps", "api") };
}

/**
 * A checkout of `ref` to run beside this one: a detached git worktree in the temporary folder,
 * kept between runs (one per commit), its dependencies installed from pnpm's store (offline
 * first; the lockfile of an older commit may want packages the store lacks). Its API is built by
 * startApiProcess like this one's.
 */
export function prepareCheckout(ref: string, log: (line: string) => void): Checkout {
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]);
  const dir = join(tmpdir(), "listbill-bench-against", commit);
  if (!existsSync(join(dir, "package.json"))) {
    mkdirSync(join(dir, ".."), { recursive: true });
    git(["worktree", "prune"]);
    log(`checking out ${ref} (${commit.slice(0, 10)}) into ${dir}`);
    git(["worktree", "add", "--detach", "--force", dir, commit]);
  }
  if (!existsSync(join(dir, "node_modules", ".modules.yaml"))) {
    log(`installing its dependencies`);
    const install = (offline: boolean) => spawnSync("pnpm", ["install", "--frozen-lockfile", ...(offline ? ["--offline"] : [])], { cwd: dir, encoding: "utf8" });
    let run = install(true);
    if (run.status !== 0) run = install(false);
    if (run.status !== 0) throw new Error(`pnpm install in ${dir} failed:\n${run.stdout}${run.stderr}`);
  }
  return { label: commit.slice(0, 10), apiDir: join(dir, "apps", "api") };
}
