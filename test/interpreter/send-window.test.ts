// The send window in the customer's zone: pure function, checked against known local times, across DST changes.
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { formatLocal, nextSendTime, zonedTimeToUtc } from '../../workflows/journey/send-window.ts';

const weekdays = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };
const iso = (ms: number) => new Date(ms).toISOString();

describe('nextSendTime', () => {
  it('a window that never opens is a non-retryable failure of the run (not an Error that retries the workflow task forever)', () => {
    const never = { days: [] as unknown as typeof weekdays.days, start: '09:00', end: '17:00' };
    let thrown: unknown;
    try {
      nextSendTime(Date.parse('2026-03-10T15:30:00Z'), never, 'UTC');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect((thrown as ApplicationFailure).nonRetryable).toBe(true);
    expect((thrown as ApplicationFailure).message).toMatch(/never opens in UTC/);
  });
  it('23:00 Friday in Tokyo → 09:00 Monday in Tokyo', () => {
    const friday23 = Date.parse('2026-03-06T14:00:00Z'); // 23:00 JST, Friday
    expect(formatLocal(friday23, 'Asia/Tokyo')).toBe('2026-03-06 fri 23:00 (Asia/Tokyo)');
    expect(iso(nextSendTime(friday23, weekdays, 'Asia/Tokyo'))).toBe('2026-03-09T00:00:00.000Z');
  });
  it('inside the window: now', () => {
    const t = Date.parse('2026-03-10T15:30:00Z'); // 11:30 New York, Tuesday
    expect(nextSendTime(t, weekdays, 'America/New_York')).toBe(t);
  });
  it('after closing → next morning; before opening → this morning', () => {
    expect(iso(nextSendTime(Date.parse('2026-03-10T22:00:00Z'), weekdays, 'America/New_York'))).toBe('2026-03-11T13:00:00.000Z');
    expect(iso(nextSendTime(Date.parse('2026-03-10T05:00:00Z'), weekdays, 'America/New_York'))).toBe('2026-03-10T13:00:00.000Z');
  });
  it('across spring-forward (US 2026-03-08): Friday night EST → Monday 09:00 EDT (13:00Z, not 14:00Z)', () => {
    const fridayNight = Date.parse('2026-03-07T02:00:00Z'); // Fri 21:00 EST
    expect(iso(nextSendTime(fridayNight, weekdays, 'America/New_York'))).toBe('2026-03-09T13:00:00.000Z');
  });
  it('across fall-back (EU 2026-10-25): Saturday → Monday 09:00 CET (08:00Z)', () => {
    expect(iso(nextSendTime(Date.parse('2026-10-24T10:00:00Z'), weekdays, 'Europe/Berlin'))).toBe('2026-10-26T08:00:00.000Z');
  });
  it('a window opening inside a DST gap moves forward by the gap (like Temporal/Java "compatible")', () => {
    // Europe/Berlin 2026-03-29: 02:00 → 03:00; a 02:30 opening on that Sunday is 03:30 CEST = 01:30Z.
    expect(iso(zonedTimeToUtc(2026, 3, 29, 2, 30, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
    const sunday = { days: ['sun'] as ['sun'], start: '02:30', end: '05:00' };
    expect(iso(nextSendTime(Date.parse('2026-03-28T12:00:00Z'), sunday, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
  });
  it('the repeated hour at fall-back maps to its first occurrence', () => {
    // Berlin 2026-10-25 02:30 happens twice: 00:30Z (CEST) and 01:30Z (CET).
    expect(iso(zonedTimeToUtc(2026, 10, 25, 2, 30, 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
  });
  it('Sydney (southern hemisphere, DST ends 2026-04-05)', () => {
    // Sat 2026-04-04 12:00 AEDT → Monday 09:00 AEST (UTC+10) = Sunday 23:00Z.
    expect(iso(nextSendTime(Date.parse('2026-04-04T01:00:00Z'), weekdays, 'Australia/Sydney'))).toBe('2026-04-05T23:00:00.000Z');
  });
});
