// What the fuzzer demands of every answer: never a 5xx or a dropped connection, and every 4xx in the API's one error
// shape, `{ error, message, errors: [{ pointer, message, ... }], requestId }` with at least one problem whose
// pointer (RFC 6901) names the field at fault. The unsubscribe page answers people in HTML: a GET (or a browser's
// POST) on /u/... may be text/html instead; it is checked for being the page, not for the JSON shape.
import type { FuzzCase } from './fuzz-requests.ts';
import type { RawResponse } from './fuzz-http.ts';

export interface Violation {
  route: string;
  mutation: string;
  status: number;
  problem: string;
  request: string;
  response: string;
}

export const statusClass = (status: number) => (status === 0 ? 'none' : `${String(status)[0]}xx`);

/** Problems with the error shape of one 4xx answer (empty when it is right). */
export function errorShapeProblems(body: unknown): string[] {
  const problems: string[] = [];
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return ['the body is not a JSON object'];
  for (const field of ['error', 'message', 'requestId'])
    if (typeof b[field] !== 'string' || b[field] === '') problems.push(`no "${field}" string`);
  if (!Array.isArray(b.errors) || b.errors.length === 0) problems.push('no "errors" list with a problem');
  else
    for (const e of b.errors as Record<string, unknown>[]) {
      if (typeof e?.pointer !== 'string' || !(e.pointer === '' || e.pointer.startsWith('/')))
        problems.push(`a problem without a JSON pointer`);
      if (typeof e?.message !== 'string') problems.push('a problem without a message');
    }
  return problems;
}

function describeRequest(c: FuzzCase): string {
  const body = c.request.body === undefined ? '' : String(c.request.body);
  return `${c.request.method} ${c.request.path.slice(0, 300)} ${JSON.stringify(c.request.headers).slice(0, 300)} ${body.slice(0, 300)}${body.length > 300 ? `… (${body.length} chars)` : ''}`;
}

export function checkResponse(c: FuzzCase, res: RawResponse): Violation | undefined {
  const fail = (problem: string): Violation => ({
    route: c.route,
    mutation: c.mutation,
    status: res.status,
    problem,
    request: describeRequest(c),
    response: res.transportError ?? res.body.slice(0, 500),
  });
  if (res.transportError) return fail(`no HTTP answer: ${res.transportError}`);
  if (res.status >= 500) return fail(`${res.status}`);
  if (res.status < 400 || c.request.method === 'HEAD') return undefined;
  const type = res.headers['content-type'] ?? '';
  if (type.startsWith('text/html') && c.request.path.startsWith('/u/'))
    return /<!doctype html>/i.test(res.body) ? undefined : fail('an HTML answer that is not the unsubscribe page');
  if (!type.startsWith('application/json')) return fail(`a ${res.status} with content-type "${type}", not JSON`);
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return fail(`a ${res.status} whose body is not JSON`);
  }
  const problems = errorShapeProblems(body);
  return problems.length > 0 ? fail(`a ${res.status} not in the error shape: ${problems.join('; ')}`) : undefined;
}
