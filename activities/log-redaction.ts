// What the worker may write to its logs: no customer id (ids are often email addresses) and no address. Workflow
// ids (journey:<journey>:<customer>, customer:<customer>) and send keys (a workflow id plus the step) keep their
// journey and lose the customer, which becomes a short digest: the same customer always gives the same digest, so
// lines can still be followed and matched with a run (customerRef of the id), but not read back.
import { createHash } from 'node:crypto';

/** A stable, short, one-way reference to a customer id for logs. */
export function customerRef(customerId: string): string {
  return `#${createHash('sha256').update(customerId, 'utf8').digest('hex').slice(0, 12)}`;
}

// journey:<identifier>:<rest> or customer:<rest>, where <rest> is id characters (the customer, and in a send key the
// cycle and step after it: all of it is digested, as a customer id may itself hold ':').
const WORKFLOW_IDS = /\b(journey:[a-z][a-z0-9-]*:|customer:)([A-Za-z0-9._:@+%~-]+)/g;
// Core's task tokens are base64 of the namespace and the workflow id.
const TASK_TOKEN = /TaskToken\([A-Za-z0-9+/=_-]*\)/g;
const EMAIL = /[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** A log text with every workflow id / send key reduced to its journey and a digest, and every address masked. */
export function redactText(text: string): string {
  return text
    .replace(TASK_TOKEN, 'TaskToken([redacted])')
    .replace(WORKFLOW_IDS, (_m, prefix: string, rest: string) => `${prefix}${customerRef(rest)}`)
    .replace(EMAIL, '[email]');
}

/** Log fields with every string redacted as above (nested objects and arrays too, a few levels deep). */
export function redactFields<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1)) as T;
  if (value instanceof Error) return redactFields({ name: value.name, message: value.message }, depth + 1) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactFields(v, depth + 1)])) as T;
}
