/** Where report snapshots go: S3 in production, a local folder with the same keys on a laptop. */
export interface ObjectStore {
  put(key: string, body: string, contentType: string): Promise<void>;
  /** The object's text, or null when there is none. */
  get(key: string): Promise<string | null>;
  list(prefix: string): Promise<string[]>;
  describe(): string;
}

/**
 * Makes one path segment safe for an object key: keeps letters, digits, `.`, `_` and `-`, encodes
 * the rest, so a hostile label value cannot add `/`, `..` or control characters to a key.
 */
export function keySegment(value: string): string {
  const safe = value.replace(
    /[^A-Za-z0-9._-]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`,
  );
  return safe === '.' || safe === '..' || safe === '' ? encodeURIComponent(`_${safe}`) : safe.slice(0, 200);
}
