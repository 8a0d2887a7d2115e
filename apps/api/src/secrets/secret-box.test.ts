import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.js";

const KEY = randomBytes(32);

describe("SecretBox", () => {
  it("opens what it sealed, and a sealed secret shows nothing of the plaintext", () => {
    const box = new SecretBox(KEY);
    const sealed = box.encrypt("hunter2-Agent-Pw");
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain("hunter2");
    expect(box.encrypt("hunter2-Agent-Pw")).not.toBe(sealed);
    expect(box.decrypt(sealed)).toBe("hunter2-Agent-Pw");
  });

  it("refuses a secret sealed under another key, or changed, without saying what it held", () => {
    const sealed = new SecretBox(KEY).encrypt("hunter2-Agent-Pw");
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow(/cannot be decrypted with this key/);
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1]! ^= 1;
    expect(() => new SecretBox(KEY).decrypt(`v1:${raw.toString("base64")}`)).toThrow(/cannot be decrypted/);
  });

  it("does not accept a shortened authentication tag", () => {
    // An empty secret sealed with the right key, its tag cut to 4 bytes: GCM checks only the
    // bytes it is given, so a forger would need 2^32 tries, not 2^128.
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", KEY, iv);
    cipher.final();
    const short = `v1:${Buffer.concat([iv, cipher.getAuthTag().subarray(0, 4)]).toString("base64")}`;
    expect(() => new SecretBox(KEY).decrypt(short)).toThrow(/truncated/);
  });
});
