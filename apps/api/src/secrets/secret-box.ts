import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FORMAT = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts hosting-server passwords at rest with AES-256-GCM. The key never leaves this object;
 * nothing it throws contains a plaintext or the key.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("SecretBox needs a 32-byte key");
    this.#key = key;
  }

  /**
   * LISTBILL_SECRET_KEY when given (any high-entropy string; HKDF turns it into the AES key),
   * else a random key generated once into DATA_DIR/secret.key with 0600 permissions.
   */
  static fromConfig(secretKey: string | undefined, dataDir: string): SecretBox {
    if (secretKey) {
      if (secretKey.length < 16) throw new Error("LISTBILL_SECRET_KEY must be at least 16 characters");
      return new SecretBox(Buffer.from(hkdfSync("sha256", secretKey, "listbill", "server-password", 32)));
    }
    const keyFile = join(dataDir, "secret.key");
    if (!existsSync(keyFile)) {
      mkdirSync(dataDir, { recursive: true });
      // wx: never overwrite a key another process wrote in the meantime.
      try {
        writeFileSync(keyFile, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    chmodSync(keyFile, 0o600);
    const key = Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${keyFile} does not hold a 32-byte base64 key`);
    return new SecretBox(key);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
  }

  decrypt(sealed: string): string {
    const [format, payload] = sealed.split(":", 2);
    if (format !== FORMAT || !payload) throw new Error("stored secret has an unknown format");
    const raw = Buffer.from(payload, "base64");
    // Shorter than a whole tag: GCM would check a truncated tag (4 bytes is forged in 2^32 tries).
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("stored secret is truncated");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw new Error("stored secret cannot be decrypted with this key (was LISTBILL_SECRET_KEY changed?)");
    }
  }
}
