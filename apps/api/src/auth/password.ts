import argon2 from "argon2";

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 20 ms a hash
 * here, slow enough to make a stolen database expensive to crack, fast enough for sign-in.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

let decoy: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown user) it still verifies
 * against a decoy, so an answer takes as long whether or not the username exists.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  decoy ??= hashPassword("listbill decoy password");
  const target = hash ?? (await decoy);
  try {
    return (await argon2.verify(target, password)) && hash !== null;
  } catch {
    return false;
  }
}
