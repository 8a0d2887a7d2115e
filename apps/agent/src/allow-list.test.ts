import { describe, expect, it } from "vitest";
import { AllowList } from "./allow-list.js";

describe("AllowList", () => {
  it("matches single addresses and CIDR blocks, IPv4 and IPv6", () => {
    const allow = AllowList.parse("127.0.0.1, 10.20.0.0/16 2001:db8::/32 ::1");
    expect(allow.allows("127.0.0.1")).toBe(true);
    expect(allow.allows("127.0.0.2")).toBe(false);
    expect(allow.allows("10.20.255.1")).toBe(true);
    expect(allow.allows("10.21.0.1")).toBe(false);
    expect(allow.allows("2001:db8:1::5")).toBe(true);
    expect(allow.allows("2001:db9::5")).toBe(false);
    expect(allow.allows("::1")).toBe(true);
  });

  it("treats an IPv4-mapped IPv6 peer as the IPv4 address it is", () => {
    const allow = new AllowList(["192.168.1.0/24"]);
    expect(allow.allows("::ffff:192.168.1.77")).toBe(true);
    expect(allow.allows("::FFFF:192.168.2.77")).toBe(false);
    expect(new AllowList(["::ffff:10.0.0.1"]).allows("10.0.0.1")).toBe(true);
  });

  it("refuses unknown or missing peer addresses", () => {
    const allow = new AllowList(["0.0.0.0/0"]);
    expect(allow.allows(undefined)).toBe(false);
    expect(allow.allows("not-an-ip")).toBe(false);
  });

  it("rejects entries that are not addresses or blocks", () => {
    expect(() => new AllowList(["localhost"])).toThrow(/not an IP/);
    expect(() => new AllowList(["10.0.0.0/33"])).toThrow(/prefix/);
    expect(() => new AllowList(["10.0.0.0/8/1"])).toThrow(/not an IP/);
  });
});
