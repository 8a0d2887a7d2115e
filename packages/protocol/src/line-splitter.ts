import { MAX_LINE_BYTES } from "./messages.js";

export type SplitLine = { kind: "line"; text: string } | { kind: "oversized" };

/**
 * Cuts a byte stream into newline-terminated lines without ever holding more than maxBytes of
 * one line: a longer line is reported once as oversized and the rest of it is skipped up to
 * its newline, so one bad line costs neither memory nor the connection.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: Buffer): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.skipping) {
        const piece = chunk.subarray(start, end);
        if (this.pendingBytes + piece.length > this.maxBytes) {
          out.push({ kind: "oversized" });
          this.pending = [];
          this.pendingBytes = 0;
          this.skipping = true;
        } else if (piece.length > 0) {
          this.pending.push(piece);
          this.pendingBytes += piece.length;
        }
      }
      if (newline === -1) break;
      if (this.skipping) {
        this.skipping = false;
      } else {
        const text = Buffer.concat(this.pending, this.pendingBytes).toString("utf8").replace(/\r$/, "");
        this.pending = [];
        this.pendingBytes = 0;
        if (text.trim().length > 0) out.push({ kind: "line", text });
      }
      start = newline + 1;
    }
    return out;
  }

  /** Bytes of an unfinished line, so a caller can tell a clean close from a cut one. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }
}
