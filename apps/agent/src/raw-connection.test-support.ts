import net from "node:net";

/** A bare TCP client speaking the wire format by hand, for requests the HostingClient never sends. */
export interface RawConnection {
  send(text: string): void;
  /** The next line from the agent, parsed; rejects if none arrives within timeoutMs. */
  next(timeoutMs?: number): Promise<any>;
  /** Resolves when the agent closes the connection. */
  closed: Promise<void>;
  /** Stops reading: what the agent sends stays in the buffers. */
  pause(): void;
  destroy(): void;
}

export async function rawConnection(port: number, host = "127.0.0.1"): Promise<RawConnection> {
  const socket = net.connect({ host, port });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.on("error", () => undefined);
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffer = "";
  socket.on("data", (chunk) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      lines.push(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  closed.then(() => waiters.splice(0).forEach((wake) => wake()));
  return {
    send: (text) => void socket.write(text),
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (lines.length === 0) {
        if (socket.destroyed) throw new Error("connection closed without a line");
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("no line from the agent in time");
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, left);
        });
      }
      return JSON.parse(lines.shift()!);
    },
    closed,
    pause: () => void socket.pause(),
    destroy: () => socket.destroy(),
  };
}
