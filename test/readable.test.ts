// The one formatter of readable reasons (definitions/readable.ts), on the reasons the engine itself produces: the
// contact policy's cap, the inactive recipient Postmark reports (redacted), the interpreter's waits and notes.
import { describe, expect, it } from 'vitest';
import { capText, durationText, instantText, localText, markdownReason, readableReason } from '../definitions/readable.ts';
import { decideContactSlot, DEFAULT_CONTACT_POLICY } from '../workflows/customer/contact-policy.ts';
import { classifyPostmarkError, failureFor } from '../activities/email/errors.ts';
import { durationMs } from '../definitions/duration.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('durations in words', () => {
  it.each([
    [45_000, '45 s'],
    [2 * MIN, '2 min'],
    [90 * MIN, '1 h 30 min'],
    [4 * HOUR, '4 h'],
    [36 * HOUR, '36 h'],
    [DAY, '1 day'],
    [7 * DAY, '7 days'],
    [90 * DAY, '90 days'],
    [36 * HOUR + 5 * MIN, '36 h 5 min'],
    [2 * DAY + 12 * HOUR + 5 * MIN, '2 days 12 h'],
    [2 * DAY + 23.9 * HOUR, '3 days'],
  ])('%d ms → %s', (ms, text) => expect(durationText(ms)).toBe(text));
});

describe('instants in the customer zone and UTC', () => {
  it('names the local day and time, the zone, and the UTC time (with its date when that differs)', () => {
    expect(instantText('2026-12-07T00:00:00.000Z', 'Asia/Tokyo')).toBe('2026-12-07 mon 09:00 Asia/Tokyo (00:00 UTC)');
    expect(instantText('2026-12-07T02:00:00.000Z', 'America/New_York')).toBe(
      '2026-12-06 sun 21:00 America/New_York (2026-12-07 02:00 UTC)',
    );
    expect(instantText(Date.parse('2026-12-07T00:00:00Z'))).toBe('2026-12-07 mon 00:00 UTC');
    expect(instantText('2026-12-07T00:00:00Z', 'UTC')).toBe('2026-12-07 mon 00:00 UTC');
    // A zone the runtime does not know (bad trait) is not a crash: UTC only.
    expect(instantText('2026-12-07T00:00:00Z', 'Mars/Olympus')).toBe('2026-12-07 mon 00:00 UTC');
  });

  it('follows DST: the same 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer', () => {
    expect(instantText('2026-03-06T14:00:00Z', 'America/New_York')).toBe('2026-03-06 fri 09:00 America/New_York (14:00 UTC)');
    expect(instantText('2026-03-09T13:00:00Z', 'America/New_York')).toBe('2026-03-09 mon 09:00 America/New_York (13:00 UTC)');
    expect(localText(Date.parse('2026-03-09T13:00:00Z'), 'America/New_York')).toBe('2026-03-09 mon 09:00 (America/New_York)');
  });
});

describe('the reasons the engine produces', () => {
  const req = (at: string) => ({ customerId: 'c', journeyId: 'j1', sendKey: `j1:${at}`, at });

  it('the cross-journey cap of the demo (1 ask per 2 min) reads as such, not as 0.0333h', () => {
    const policy = { ...DEFAULT_CONTACT_POLICY, maxAsks: 1, periodMs: 2 * MIN, quietHours: undefined };
    const history = [{ sendKey: 'x', journeyId: 'j2', at: '2026-03-10T12:00:00Z' }];
    const d = decideContactSlot(req('2026-03-10T12:00:30Z'), { history }, policy);
    expect(d.reason).toBe('global cap: 1 ask per 2 min across journeys');
    expect(readableReason(`contact policy: ${d.reason}`)).toBe('contact policy: global cap: 1 ask per 2 min across journeys');
  });

  it('the shipped policy and a journey cap: asks per days', () => {
    const history = [{ sendKey: 'x', journeyId: 'j1', at: '2026-03-09T12:00:00Z' }];
    const shipped = decideContactSlot(req('2026-03-10T12:00:00Z'), { history }, { ...DEFAULT_CONTACT_POLICY, quietHours: undefined });
    expect(shipped.reason).toBe(`global cap: ${capText(DEFAULT_CONTACT_POLICY.maxAsks, DEFAULT_CONTACT_POLICY.periodMs)} across journeys`);
    expect(shipped.reason).toMatch(/^global cap: 1 ask per 7 days across journeys$/);
    const own = decideContactSlot(
      { ...req('2026-03-10T12:00:00Z'), journeyCap: { maxAsks: 3, periodMs: 30 * DAY } },
      { history: [0, 1, 2].map((i) => ({ sendKey: `k${i}`, journeyId: 'j1', at: `2026-03-0${i + 1}T12:00:00Z` })) },
      { ...DEFAULT_CONTACT_POLICY, maxAsks: 10, quietHours: undefined },
    );
    expect(own.reason).toBe('journey cap: 3 asks per 30 days');
  });

  it('an inactive recipient keeps its placeholder visible in the Temporal UI (Markdown), not "Found inactive addresses: ."', () => {
    const postmark = {
      statusCode: 422,
      code: 406,
      message:
        'You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ada@acme.test. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.',
    };
    const reason = `EmailInactiveRecipient: ${failureFor(classifyPostmarkError(postmark, ['ada@acme.test'])).message}`;
    expect(reason).toContain('Found inactive addresses: <redacted>.');
    const md = markdownReason(reason);
    expect(md).toContain('Found inactive addresses: &lt;redacted&gt;.');
    expect(md).not.toContain('ada@acme.test');
    // What a Markdown renderer shows once it turns entities back into text: the placeholder is still there.
    expect(md.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toContain('Found inactive addresses: <redacted>.');
  });

  it("the interpreter's waits and notes: ISO instants and durations become words in the customer's zone", () => {
    expect(readableReason('waiting for referral.submitted until 2026-12-28T00:00:00.327Z', 'Asia/Tokyo')).toBe(
      'waiting for referral.submitted until 2026-12-28 mon 09:00 Asia/Tokyo (00:00 UTC)',
    );
    expect(readableReason('re-entry interval P90D since the last cycle (until 2027-03-01T10:00:00.000Z)', 'Europe/Berlin')).toBe(
      're-entry interval 90 days since the last cycle (until 2027-03-01 mon 11:00 Europe/Berlin (10:00 UTC))',
    );
    expect(readableReason('rest PT4H then P1W, not HTTP2D or ESC-P2D', 'UTC')).toBe('rest 4 h then 7 days, not HTTP2D or ESC-P2D');
    expect(durationText(durationMs('P2D'))).toBe('2 days');
    // Already readable text passes through unchanged, so formatting twice changes nothing.
    const once = readableReason('hold until 2026-12-23T14:00:00.000Z', 'Asia/Tokyo');
    expect(readableReason(once, 'Asia/Tokyo')).toBe(once);
  });

  it('escapes what Markdown would swallow or turn into emphasis', () => {
    expect(markdownReason('score < 60 and *bold* _it_ [link] `code`')).toBe('score &lt; 60 and \\*bold\\* \\_it\\_ \\[link\\] \\`code\\`');
  });
});
