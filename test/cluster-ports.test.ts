// A second `npm run start:cluster` beside an operator's (the suite's cluster test, the benches) sets every port the
// launcher opens to a free one: it failed on the UI's default 8333, which nothing set, while a bench's cluster ran.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLUSTER_PORT_SETTINGS, freeClusterPorts } from '../scripts/cluster/ports.ts';

const ROOT = join(import.meta.dirname, '..');

describe("the cluster launcher's ports", () => {
  it('lists every port setting the launcher reads', () => {
    const source = readFileSync(join(ROOT, 'scripts/cluster/start-cluster.ts'), 'utf8');
    const read = new Set([...source.matchAll(/\benv\.(JOURNEY_CLUSTER_\w*PORTS?)\b/g)].map((m) => m[1]));
    expect(read.size).toBeGreaterThanOrEqual(4);
    expect([...read].sort()).toEqual([...CLUSTER_PORT_SETTINGS].sort());
  });

  it('picks a free port for each, none of them a default', async () => {
    const ports = await freeClusterPorts();
    expect(Object.keys(ports).sort()).toEqual([...CLUSTER_PORT_SETTINGS].sort());
    const all = Object.values(ports).flatMap((v) => v.split(',').map(Number));
    expect(all).toHaveLength(5);
    for (const port of all) expect(port).toBeGreaterThan(0);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(7333);
    expect(all).not.toContain(8333);
    expect(all).not.toContain(55432);
  });
});
