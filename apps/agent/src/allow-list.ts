import net from "node:net";

/**
 * The addresses allowed to talk to the agent: single IPs and CIDR blocks, IPv4 or IPv6.
 * An IPv4 client reaching a dual-stack listener shows up as ::ffff:a.b.c.d; it is checked as
 * the IPv4 address it is, so "10.0.0.0/8" keeps matching.
 */
export class AllowList {
  private readonly blocks = new net.BlockList();

  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) this.add(entry.trim());
  }

  /** Parses "127.0.0.1, 10.0.0.0/8 ::1" (commas or spaces). */
  static parse(text: string): AllowList {
    return new AllowList(text.split(/[\s,]+/).filter(Boolean));
  }

  allows(address: string | undefined): boolean {
    if (!address) return false;
    const plain = unmapIPv4(address.replace(/%.*$/, ""));
    const family = net.isIP(plain);
    if (family === 0) return false;
    return this.blocks.check(plain, family === 4 ? "ipv4" : "ipv6");
  }

  private add(entry: string): void {
    const [address, prefixText, extra] = entry.split("/");
    const plain = unmapIPv4(address);
    const family = net.isIP(plain);
    if (family === 0 || extra !== undefined) throw new Error(`allow-list entry "${entry}" is not an IP address or CIDR block`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefixText === undefined) {
      this.blocks.addAddress(plain, type);
      return;
    }
    const prefix = Number(prefixText);
    const max = family === 4 ? 32 : 128;
    if (!/^\d+$/.test(prefixText) || prefix > max) throw new Error(`allow-list entry "${entry}" has an invalid prefix length`);
    this.blocks.addSubnet(plain, prefix, type);
  }
}

function unmapIPv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}
