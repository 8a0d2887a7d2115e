import { EventEmitter, on } from "node:events";
import type { PubSub } from "type-graphql";

/**
 * The process-local PubSub type-graphql requires before it builds any subscription. listbill's
 * subscriptions bring their own `subscribe` (jobUpdated polls the database, so it also sees jobs
 * run by other API processes); this serves any topic-based one added later.
 */
export function createLocalPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (topic, payload) => void emitter.emit(topic, payload),
    subscribe: (topic) => ({
      async *[Symbol.asyncIterator]() {
        for await (const [payload] of on(emitter, topic)) yield payload;
      },
    }),
  };
}
