// The advocate pages' building blocks, without a browser: the status link's token (signed, expiring, no readable
// customer id), the CSRF check (every refusal names the field), the pages config (schema and WCAG contrast errors
// with their pointers), the rate limiter, and the leaderboard (opt-in only, first name and initial).
import { describe, expect, it } from 'vitest';
import { readStatusToken, statusToken, withPageLinks } from '../activities/email/status-link.ts';
import { checkCsrf, issueCsrf, CSRF_COOKIE } from '../api/pages/csrf.ts';
import { checkPagesConfig, contrastRatio, loadPagesConfig } from '../definitions/pages.ts';
import { RateLimiter, describeLimit } from '../api/pages/rate-limit.ts';
import { buildLeaderboard, displayNameOf } from '../api/pages/leaderboard.ts';
import { startApi } from './api/support.ts';
import type { TrackingRecord } from '../workflows/contract/index.ts';
import type { SendEmailRequest } from '../workflows/contract/index.ts';

const SECRET = 'a-test-secret-of-enough-length';
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-03T10:00:00Z');

describe('the status link token', () => {
  it('reads back the customer and journey it was signed for, until its day has passed', () => {
    const token = statusToken(SECRET, { customerId: 'cust-42@acme', journeyId: 'nps-promoter-referral', expiresAt: NOW + 90 * DAY });
    const read = readStatusToken(SECRET, token, NOW + 89 * DAY);
    expect(read).toMatchObject({ ok: true, subject: { customerId: 'cust-42@acme', journeyId: 'nps-promoter-referral' } });
    expect(readStatusToken(SECRET, token, NOW + 92 * DAY)).toEqual({ ok: false, reason: 'expired' });
  });

  it('reveals no customer id: neither the token nor its decoded bytes contain it', () => {
    const token = statusToken(SECRET, { customerId: 'cust-42@acme', journeyId: 'j', expiresAt: NOW + DAY });
    expect(token).not.toContain('cust-42');
    for (const part of token.split('.')) expect(Buffer.from(part, 'base64url').toString('latin1')).not.toContain('cust-42');
  });

  it('is refused when forged, tampered with, or signed with another secret', () => {
    const token = statusToken(SECRET, { customerId: 'c1', journeyId: 'j', expiresAt: NOW + DAY });
    const [body, mac] = token.split('.');
    const flipped = `${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}.${mac}`;
    expect(readStatusToken(SECRET, flipped, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(readStatusToken('another-secret-of-enough-length', token, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(readStatusToken(SECRET, `${body}.${'A'.repeat(32)}`, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(readStatusToken(SECRET, 'nonsense', NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('is the same on a retry the same day (the email body does not change between activity attempts)', () => {
    const a = statusToken(SECRET, { customerId: 'c1', journeyId: 'j', expiresAt: NOW + DAY });
    const b = statusToken(SECRET, { customerId: 'c1', journeyId: 'j', expiresAt: NOW + DAY + 60_000 });
    expect(a).toBe(b);
  });

  it('goes into every message to the customer as {{statusUrl}}, with {{referralPageUrl}} when there is a code; never into an owner task', () => {
    const links = { publicUrl: 'https://journeys.acme.example', secret: SECRET, mailbox: 'u@acme.example' };
    const req = { customerId: 'c1', journeyId: 'j', model: { referralCode: 'rc_abc' } } as unknown as SendEmailRequest;
    const out = withPageLinks(req, links, 90 * DAY, NOW);
    expect(out.model.statusUrl).toMatch(/^https:\/\/journeys\.acme\.example\/a\/[\w-]+\.[\w-]+$/);
    expect(out.model.referralPageUrl).toBe('https://journeys.acme.example/r/rc_abc');
    const task = { ...req, model: { task: { customerId: 'c1' } } } as unknown as SendEmailRequest;
    expect(withPageLinks(task, links, DAY, NOW).model.statusUrl).toBeUndefined();
  });
});

describe('CSRF (signed double-submit)', () => {
  const scope = '/r/rc_abc';
  const pair = issueCsrf(SECRET, scope, NOW);
  const cookie = `${CSRF_COOKIE}=${pair.cookie}`;

  it('takes the field with its cookie', () => {
    expect(checkCsrf(SECRET, scope, pair.field, cookie, NOW + 1000)).toEqual({ nonce: pair.nonce });
  });

  it('refuses, naming the field, a missing field, a forged one, one for another form, an old one, and one without its cookie', () => {
    const refusals = [
      checkCsrf(SECRET, scope, undefined, cookie, NOW),
      checkCsrf(SECRET, scope, `${pair.nonce}.${Math.floor(NOW / 1000)}.${'x'.repeat(32)}`, cookie, NOW),
      checkCsrf(SECRET, '/r/rc_other', pair.field, cookie, NOW),
      checkCsrf(SECRET, scope, pair.field, cookie, NOW + 3 * 3_600_000),
      checkCsrf(SECRET, scope, pair.field, undefined, NOW),
      checkCsrf(SECRET, scope, pair.field, `${CSRF_COOKIE}=someone-else`, NOW),
    ];
    for (const r of refusals) expect(r.problem).toContain('`csrf`');
    expect(refusals.map((r) => r.nonce)).toEqual(refusals.map(() => undefined));
  });

  it('the API answers a form post without a token 403 with a page naming the field, and bad links with their page', async () => {
    const f = await startApi();
    try {
      const res = await f.api.inject({
        method: 'POST',
        url: '/r/rc_whatever',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'name=Grace&email=grace%40initech.example&consent=yes',
      });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('the form field `csrf` is missing');
      // A code too long for the route, or one that is not ours: the friendly page, not JSON, not a stack trace.
      for (const url of [`/r/rc_${'x'.repeat(400)}`, '/r/not-a-code', '/a/not.a-token']) {
        const bad = await f.api.inject({ method: 'GET', url });
        expect(bad.statusCode, url).toBe(404);
        expect(bad.headers['content-type'], url).toContain('text/html');
        expect(bad.body, url).toMatch(/<h1>(This link is not active|Link not valid)<\/h1>/);
      }
    } finally {
      await f.close();
    }
  });
});

describe('the pages config', () => {
  it('the shipped file is valid and its colours reach WCAG AA', () => {
    const c = loadPagesConfig().brand.colors;
    expect(contrastRatio(c.text, c.background)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(c.primaryText, c.primary)).toBeGreaterThanOrEqual(4.5);
  });

  it('a bad file gets every problem with its pointer and line: a low-contrast pair, a bad colour, an unknown key, a missing section', () => {
    const source = JSON.stringify(
      {
        brand: { name: 'X', colors: { primary: '#cccccc', primaryText: '#ffffff', background: '#ffffff', text: '#1f2937' } },
        locale: 'en-US',
        referralPage: { headline: 'h', intro: 'i', consentText: 'c', thankYou: 't', invalidCode: 'x' },
        statusPage: { headline: 'h' },
      },
      null,
      2,
    );
    const low = checkPagesConfig(source, 'pages.json');
    expect(low.value).toBeUndefined();
    expect(low.diagnostics.map((d) => d.pointer)).toEqual(['/brand/colors/primaryText', '/brand/colors/primary']);
    expect(low.diagnostics[0].message).toMatch(/contrast 1\.\d+:1 is below WCAG AA/);
    expect(low.diagnostics[0].line).toBeGreaterThan(1);

    const broken = checkPagesConfig(
      source
        .replace('"#cccccc"', '"blue"')
        .replace('"locale"', '"colour": 1, "locale"')
        .replace(/"statusPage"[^}]+\}/, '"x": 0'),
      'pages.json',
    );
    const pointers = broken.diagnostics.map((d) => d.pointer);
    expect(pointers).toContain('/brand/colors/primary');
    expect(pointers).toContain('/colour');
    expect(broken.diagnostics.find((d) => d.pointer === '')?.message ?? broken.diagnostics.map((d) => d.message).join()).toContain(
      'statusPage',
    );
  });
});

describe('rate limits and the leaderboard', () => {
  it('a rate limit counts per key within its window and names itself', () => {
    const rl = new RateLimiter({ name: 'per IP address', max: 2, windowMs: 3_600_000 });
    expect([rl.hit('a', NOW), rl.hit('a', NOW), rl.hit('a', NOW)].map((v) => v.allowed)).toEqual([true, true, false]);
    expect(rl.hit('b', NOW).allowed).toBe(true);
    expect(rl.hit('a', NOW + 3_600_001).allowed).toBe(true);
    expect(describeLimit(rl.rule)).toBe('2 submissions per hour per IP address');
  });

  it('the board ranks only advocates who opted in (their latest choice), in this period, by won then submitted', () => {
    const rec = (customerId: string, type: string, at: string, data: Record<string, unknown> = {}): TrackingRecord => ({
      at,
      journeyId: type.startsWith('leaderboard') ? '' : 'j1',
      journeyVersion: 1,
      customerId,
      stage: 'track',
      type,
      data,
    });
    const records = [
      rec('ada', 'leaderboard.preference_set', '2026-10-02T00:00:00Z', { journeyId: 'j1', optIn: true, displayName: 'Ada L.' }),
      rec('bob', 'leaderboard.preference_set', '2026-10-02T00:00:00Z', { journeyId: 'j1', optIn: true, displayName: 'Bob M.' }),
      rec('bob', 'leaderboard.preference_set', '2026-11-02T00:00:00Z', { journeyId: 'j1', optIn: false, displayName: 'Bob M.' }),
      rec('cy', 'leaderboard.preference_set', '2026-10-02T00:00:00Z', { journeyId: 'j1', optIn: true, displayName: 'Cy N.' }),
      rec('ada', 'referral.submitted', '2026-11-01T00:00:00Z'),
      rec('cy', 'referral.submitted', '2026-11-01T00:00:00Z'),
      rec('cy', 'referral.submitted', '2026-11-02T00:00:00Z'),
      rec('ada', 'referral.closed_won', '2026-11-20T00:00:00Z'),
      rec('bob', 'referral.closed_won', '2026-11-20T00:00:00Z'),
      rec('cy', 'referral.closed_won', '2026-09-20T00:00:00Z'), // last quarter
    ];
    const board = buildLeaderboard(records, 'j1', 'quarter', 10, NOW);
    expect(board.rows.map((r) => [r.displayName, r.won, r.submitted])).toEqual([
      ['Ada L.', 1, 1],
      ['Cy N.', 0, 2],
    ]);
    expect(board.from).toBe('2026-10-01T00:00:00.000Z');
    expect(displayNameOf({ firstName: 'Ada Augusta', lastName: 'lovelace' })).toBe('Ada L.');
    expect(displayNameOf({ lastName: 'Lovelace' })).toBeUndefined();
  });
});
