// Loaded on first use: a Tarka without local users (AUTH_MODE disabled, proxy, oidc) never needs it.
const argon2 = () => import('@node-rs/argon2');

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~20 ms here, prebuilt
// binary (no install script). The parameters travel in the PHC string, so raising them later
// still verifies older hashes.
const params = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 512;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `use at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

export const hashPassword = async (password: string): Promise<string> =>
  (await argon2()).hash(password, params);

// Verified when no user matches, so a wrong e-mail takes as long as a wrong password.
let decoy: Promise<string> | undefined;

/** Whether the password matches the stored hash; with no hash, spends the same time and says no. */
export async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  if (stored === null) {
    decoy ??= hashPassword('decoy-password-never-matches');
    const { verify } = await argon2();
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  const { verify } = await argon2();
  return verify(stored, password).catch(() => false);
}
