// The API's log of accepted events (api/event-log.ts): one line per event as accepted, readable by `journey
// backtest`; rotated past its size, the oldest rotated files removed beyond `keep`; off unless JOURNEY_EVENT_LOG.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventLog, eventLogFromEnv } from '../api/event-log.ts';
import { readEventsFile } from '../cli/replay/events-file.ts';

const event = (n: number) => ({
  id: `e-${n}`,
  type: 'nps.submitted',
  customerId: `c-${n % 3}`,
  occurredAt: new Date(Date.UTC(2026, 5, 1, 0, n)).toISOString(),
  data: { score: 9 },
});

describe('the API event log', () => {
  it('writes each accepted event as one line that a backtest reads back, rotates past its size and keeps the newest rotated files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-log-'));
    const log = new EventLog({ dir, maxBytes: 1000, keep: 2 });
    for (let n = 0; n < 40; n++) {
      log.append(event(n));
      if (n % 10 === 9) await new Promise((r) => setTimeout(r, 5)); // distinct rotation stamps
    }
    const files = log.files();
    expect(files.at(-1)).toBe(join(dir, 'events.ndjson'));
    expect(readdirSync(dir).filter((n) => n.startsWith('events-'))).toHaveLength(2);
    const lines = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
    // The newest lines survive, in order, exactly as accepted.
    expect(JSON.parse(lines.at(-1)!)).toEqual(event(39));
    const ids = lines.map((l) => Number((JSON.parse(l) as { id: string }).id.slice(2)));
    expect(ids).toEqual(ids.map((_, i) => ids[0] + i));
    expect(ids.length).toBeLessThan(40);
    const history = readEventsFile(files.at(-1)!);
    expect(history.events).toBeGreaterThan(0);
  });

  it('is off unless JOURNEY_EVENT_LOG names a folder, and a bad size names its variable', () => {
    expect(eventLogFromEnv({})).toBeUndefined();
    expect(eventLogFromEnv({ JOURNEY_EVENT_LOG: '' })).toBeUndefined();
    expect(() =>
      eventLogFromEnv({ JOURNEY_EVENT_LOG: mkdtempSync(join(tmpdir(), 'event-log-')), JOURNEY_EVENT_LOG_MAX_BYTES: '10MB' }),
    ).toThrow('JOURNEY_EVENT_LOG_MAX_BYTES="10MB" must be a positive whole number');
  });
});
