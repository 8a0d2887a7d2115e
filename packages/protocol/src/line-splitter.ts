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
      if (this.skipping) {
        if (newline !== -1) this.skipping = false;
      } else if (this.pendingBytes + (end - start) > this.maxBytes) {
        out.push({ kind: "oversized" });
        this.pending = [];
        this.pendingBytes = 0;
        this.skipping = newline === -1;
      } else if (newline === -1) {
        this.pending.push(chunk.subarray(start, end));
        this.pendingBytes += end - start;
      } else if (this.pendingBytes === 0) {
        // Most lines lie whole in one chunk: decoded where they are, without a copy.
        this.emit(out, chunk, start, end);
      } else {
        this.pending.push(chunk.subarray(start, end));
        const line = Buffer.concat(this.pending, this.pendingBytes + (end - start));
        this.pending = [];
        this.pendingBytes = 0;
        this.emit(out, line, 0, line.length);
      }
      if (newline === -1) break;
      start = newline + 1;
    }
    return out;
  }

  /** Bytes of an unfinished line, so a caller can tell a clean close from a cut one. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  private emit(out: SplitLine[], bytes: Buffer, start: number, end: number): void {
    const text = bytes.toString("utf8", start, end > start && bytes[end - 1] === 0x0d ? end - 1 : end);
    if (text.trim().length > 0) out.push({ kind: "line", text });
  }
}
