// Bearer-key authentication with scopes. Keys come from configuration (JOURNEY_API_KEYS), never from a store:
//   JOURNEY_API_KEYS="svc-key:ingest,ops-key:operate+read,admin-key"   (a plain key has every scope)
// Keys are compared in constant time: both sides are hashed to the same length, then timingSafeEqual.
import { createHash, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['ingest', 'operate', 'read'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  /** sha256 of the key: the key itself is not kept in memory longer than parsing needs. */
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
  /** A short, non-secret label for logs: the first 4 characters of the key's hash. */
  label: string;
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Parses `key[:scope+scope],...`. Throws with a clear message on an unknown scope or an empty key. */
export function parseApiKeys(spec: string | undefined): ApiKey[] {
  return (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const sep = entry.lastIndexOf(':');
      const key = sep === -1 ? entry : entry.slice(0, sep);
      const scopeList =
        sep === -1
          ? [...SCOPES]
          : entry
              .slice(sep + 1)
              .split('+')
              .map((s) => s.trim())
              .filter(Boolean);
      if (!key) throw new Error(`JOURNEY_API_KEYS: an entry has an empty key ("${entry.replace(/./g, '*')}")`);
      for (const scope of scopeList) {
        if (!(SCOPES as readonly string[]).includes(scope)) {
          throw new Error(`JOURNEY_API_KEYS: unknown scope "${scope}"; scopes are ${SCOPES.join(', ')}`);
        }
      }
      const digest = digestOf(key);
      return { digest, scopes: new Set(scopeList as Scope[]), label: digest.toString('hex').slice(0, 4) };
    });
}

/** The key an `Authorization: Bearer <key>` header names, or undefined. Every key is compared, so timing says nothing. */
export function findApiKey(authorization: string | undefined, keys: readonly ApiKey[]): ApiKey | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const presented = digestOf(match[1]);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.digest, presented) && !found) found = key;
  }
  return found;
}
