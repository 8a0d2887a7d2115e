import { HostingClient } from "@listbill/protocol";
import { DEFAULT_AGENT_PASSWORD } from "@listbill/protocol";

/**
 * The physical limit of a validation: one connection reading everything validation reads from
 * the agent (server info, logging flag, sites, lists with what `options` asks of their members),
 * doing nothing with it.
 */
export async function rawStream(agent: { host: string; port: number }, options: Parameters<HostingClient["lists"]>[0]): Promise<{ ms: number; lists: number }> {
  const started = performance.now();
  const client = await HostingClient.connect({ host: agent.host, port: agent.port, password: DEFAULT_AGENT_PASSWORD });
  try {
    await client.serverInfo();
    await client.loggingEnabled();
    for await (const _site of client.sites());
    let lists = 0;
    for await (const _list of client.lists(options)) lists++;
    return { ms: performance.now() - started, lists };
  } finally {
    await client.close();
  }
}
