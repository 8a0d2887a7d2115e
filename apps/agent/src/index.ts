export { AllowList } from "./allow-list.js";
export {
  DEFAULT_AGENT_HOST, DEFAULT_ALLOW, DEFAULT_IDLE_TIMEOUT_MS, startAgentServer,
  type AgentOptions, type AgentTlsOptions, type RunningAgent,
} from "./agent-server.js";
export { stderrLog, silentLog, type AgentLog } from "./agent-log.js";
export { countedMemberTypes, listManagerSchema } from "./listmanager-schema.js";
export { spawnAgent, type SpawnAgentOptions, type SpawnedAgent } from "./spawn-agent.js";
export { startDemoFleet, type DemoFleet, type DemoFleetOptions } from "./demo-fleet-start.js";
