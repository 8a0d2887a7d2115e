import type net from "node:net";

/** Thrown into a stream when its socket is gone, so the database cursor is released. */
export class SocketGone extends Error {}

// One socket write per 64 KiB of lines: a write per record cost the agent more than the lists
// query (100,000 writes of ~300 bytes, each a system call, took 0.7 s of a 100,000-list stream).
const CHUNK_CHARS = 64 * 1024;

/**
 * A connection's outgoing lines, sent in chunks. A line waits at most until the event loop next
 * turns (a stream that produces records slowly still sends each one promptly), or until a chunk
 * is full; a full chunk the socket cannot take makes the writer wait for 'drain', which is how
 * a slow client holds back the database cursor.
 */
export class LineWriter {
  private pending = "";
  private flushQueued = false;
  private drained: Promise<void> | undefined;

  constructor(private readonly socket: net.Socket) {}

  async write(line: string): Promise<void> {
    if (this.socket.destroyed) throw new SocketGone();
    this.pending += line;
    if (this.pending.length < CHUNK_CHARS) {
      if (!this.flushQueued) {
        this.flushQueued = true;
        setImmediate(() => {
          this.flushQueued = false;
          if (this.socket.writable) this.flush();
        });
      }
      return;
    }
    if (this.flush()) return;
    // One shared wait per full buffer, ended by 'drain' or by the socket going away.
    this.drained ??= new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        this.drained = undefined;
        resolve();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
    await this.drained;
    if (this.socket.destroyed) throw new SocketGone();
  }

  /** Sends what is queued and `line`, then closes the connection. */
  end(line: string): void {
    this.socket.end(this.pending + line);
    this.pending = "";
  }

  /** False when the socket's buffer is full. */
  private flush(): boolean {
    if (this.pending === "") return true;
    const chunk = this.pending;
    this.pending = "";
    return this.socket.write(chunk);
  }
}
