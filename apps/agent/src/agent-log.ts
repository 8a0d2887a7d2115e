/** Structured agent events; values must never include the password. */
export type AgentLog = (event: string, fields?: Record<string, unknown>) => void;

/** One JSON line per event on stderr (stdout carries only the machine-readable "listening" line). */
export const stderrLog: AgentLog = (event, fields = {}) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
};

export const silentLog: AgentLog = () => undefined;
