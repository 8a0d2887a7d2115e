import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat's times: 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a live process has used so far, in ms, from /proc (Linux); undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The pid of a MariaDB or MySQL server on this machine, when there is one (the benchmark's database is usually local). */
export function localDatabasePid(): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      if (name === "mariadbd" || name === "mysqld") return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

export interface CpuSplit {
  apiMs: number;
  agentsMs: number;
  /** Undefined when the database is not a local MariaDB/MySQL server (or SQLite, inside the API). */
  databaseMs: number | undefined;
}

/**
 * CPU used by each side of a phase, from before to after it: where a phase's time went on a
 * machine whose cores the API, the agents and the database share. A phase whose three add up to
 * about wall time × cores is bound by CPU; one well below waited (on round trips, on disk).
 */
export function cpuMeter(pids: { api: number; agents: readonly number[]; database: number | undefined }): () => CpuSplit {
  const read = () => ({
    api: processCpuMs(pids.api) ?? 0,
    agents: pids.agents.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0),
    database: pids.database === undefined ? undefined : processCpuMs(pids.database),
  });
  const before = read();
  return () => {
    const after = read();
    return {
      apiMs: after.api - before.api,
      agentsMs: after.agents - before.agents,
      databaseMs: after.database === undefined || before.database === undefined ? undefined : after.database - before.database,
    };
  };
}
