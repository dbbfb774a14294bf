// Which Temporal server the suite shares (test/setup/cluster-server.ts): the dev server unless asked, the production
// topology's with JOURNEY_TEST_TEMPORAL=cluster, and a clear error for anything else rather than a silent default.
import { describe, expect, it } from 'vitest';
import { sharedServerKind } from './setup/cluster-server.ts';

describe('JOURNEY_TEST_TEMPORAL', () => {
  it('is the dev server when unset or empty, the cluster when asked', () => {
    expect(sharedServerKind({})).toBe('dev');
    expect(sharedServerKind({ JOURNEY_TEST_TEMPORAL: '' })).toBe('dev');
    expect(sharedServerKind({ JOURNEY_TEST_TEMPORAL: 'dev' })).toBe('dev');
    expect(sharedServerKind({ JOURNEY_TEST_TEMPORAL: 'cluster' })).toBe('cluster');
  });

  it('refuses any other value, naming the variable and the value', () => {
    expect(() => sharedServerKind({ JOURNEY_TEST_TEMPORAL: 'postgres' })).toThrow(
      /JOURNEY_TEST_TEMPORAL must be dev .* or cluster .*"postgres"/,
    );
  });
});
