// The pieces of the production topology that need no server: the Temporal server's config (both stores on
// PostgreSQL through the postgres12 plugin, SQL visibility, the password kept owner-only) and the worker's cache knob.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterBinaries, lowFreePorts, stickyLowFreePorts, writeServerConfig } from '../scripts/cluster/temporal-server.ts';
import { assertPortFree } from '../scripts/dev-server.ts';
import { loadWorkerSettings, WorkerSettingsError } from '../worker/settings.ts';

describe('the cluster configuration', () => {
  it('the Temporal server keeps its default store and SQL visibility on PostgreSQL, on the ports it was given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-config-'));
    const postgres = {
      host: '127.0.0.1',
      port: 55999,
      user: 'temporal',
      password: 's3cret',
      pgdata: '',
      databaseSize: async () => 0,
      stop: async () => {},
    };
    const configDir = writeServerConfig({
      serverPath: '',
      sqlToolPath: '',
      schemaDir: '',
      postgres,
      dir,
      frontendPort: 7444,
      internalPorts: [21001, 21002, 21003, 21004, 21005, 21006, 21007, 21008, 21009],
      namespace: 'default',
      historyShards: 4,
    });
    const file = join(configDir, 'cluster.yaml');
    const yaml = readFileSync(file, 'utf8');
    expect(yaml).toContain('visibilityStore: postgres-visibility');
    expect(yaml.match(/pluginName: "postgres12"/g)).toHaveLength(2);
    expect(yaml).toContain('databaseName: "temporal_visibility"');
    expect(yaml).toContain('connectAddr: "127.0.0.1:55999"');
    expect(yaml).toContain('grpcPort: 7444');
    expect(yaml).toContain('rpcAddress: "127.0.0.1:7444"');
    // The file holds the database password: owner-only.
    expect(statSync(file).mode & 0o077).toBe(0);
    // Update-with-start (the global opt-out) needs multi-operations on.
    expect(readFileSync(join(configDir, 'dynamicconfig.yaml'), 'utf8')).toMatch(
      /frontend\.enableExecuteMultiOperation:\n {2}- value: true/,
    );
    // A worker takes the activities its own workflow task schedules, as on the dev server (scripts/dev-server.ts).
    expect(readFileSync(join(configDir, 'dynamicconfig.yaml'), 'utf8')).toMatch(/system\.enableActivityEagerExecution:\n {2}- value: true/);
    // History reads its queues of tasks 200 times a second per shard, not the default 20 (scripts/dev-server.ts).
    for (const key of ['transferProcessorMaxPollRPS', 'timerProcessorMaxPollRPS', 'visibilityProcessorMaxPollRPS'])
      expect(readFileSync(join(configDir, 'dynamicconfig.yaml'), 'utf8')).toContain(`history.${key}:\n  - value: 200\n`);
  });

  it('the internal ports are distinct, free and below 32768 (Temporal keeps membership ports in a PostgreSQL smallint)', async () => {
    const ports = await lowFreePorts(9);
    expect(new Set(ports).size).toBe(9);
    for (const p of ports) {
      expect(p).toBeLessThan(32768);
      await assertPortFree(p, 'test');
    }
  });

  it('a later start takes the ports of the last one when they are all free, and new ones (kept) when one is taken', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cluster-ports-')), 'temporal', 'ports.json');
    const first = await stickyLowFreePorts(file, 9);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
    expect(await stickyLowFreePorts(file, 9)).toEqual(first);
    const taken = createServer().listen(first[3], '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    try {
      const second = await stickyLowFreePorts(file, 9);
      expect(second).not.toContain(first[3]);
      expect(new Set(second).size).toBe(9);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(second);
    } finally {
      taken.close();
    }
    // A file from another shape (fewer ports, a port out of range) is replaced, not trusted.
    writeFileSync(file, JSON.stringify([40_000, 20_001]));
    const third = await stickyLowFreePorts(file, 9);
    expect(third).toHaveLength(9);
    expect(third.every((p) => p < 32768)).toBe(true);
  });

  it('the four paths come from the environment; the first one missing is named with the command that obtains them', () => {
    const env = {
      TEMPORAL_SERVER_PATH: '/c/temporal-server',
      TEMPORAL_SQL_TOOL_PATH: '/c/temporal-sql-tool',
      TEMPORAL_SCHEMA_DIR: '/c/schema/postgresql/v12',
      JOURNEY_PG_BIN: '/usr/lib/postgresql/15/bin',
    };
    expect(clusterBinaries(env, 'run it')).toEqual({
      serverPath: '/c/temporal-server',
      sqlToolPath: '/c/temporal-sql-tool',
      schemaDir: '/c/schema/postgresql/v12',
      pgBin: '/usr/lib/postgresql/15/bin',
    });
    expect(() => clusterBinaries({ ...env, TEMPORAL_SCHEMA_DIR: '' }, 'run `npm run start:cluster`')).toThrow(
      'TEMPORAL_SCHEMA_DIR is not set: run `npm run start:cluster`',
    );
    const { JOURNEY_PG_BIN: _left, ...withoutPostgres } = env;
    expect(() => clusterBinaries(withoutPostgres, 'obtain it')).toThrow('JOURNEY_PG_BIN is not set: obtain it');
  });

  it('JOURNEY_WORKER_MAX_CACHED_WORKFLOWS bounds the worker cache; unset leaves the SDK default; nonsense names the variable', () => {
    expect(loadWorkerSettings({ JOURNEY_WORKER_MAX_CACHED_WORKFLOWS: '500' }).maxCachedWorkflows).toBe(500);
    expect(loadWorkerSettings({}).maxCachedWorkflows).toBeUndefined();
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_MAX_CACHED_WORKFLOWS: '1' })).toThrow(WorkerSettingsError);
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/JOURNEY_WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('JOURNEY_WORKER_WORKFLOW_POLLERS: autoscaling unless set, capped by autoscaling:N; a number is a fixed maximum; nonsense names the variable', () => {
    expect(loadWorkerSettings({}).workflowTaskPollers).toEqual({ type: 'autoscaling' });
    expect(loadWorkerSettings({ JOURNEY_WORKER_WORKFLOW_POLLERS: 'autoscaling' }).workflowTaskPollers).toEqual({ type: 'autoscaling' });
    expect(loadWorkerSettings({ JOURNEY_WORKER_WORKFLOW_POLLERS: '10' }).workflowTaskPollers).toEqual({
      type: 'simple-maximum',
      maximum: 10,
    });
    expect(loadWorkerSettings({ JOURNEY_WORKER_WORKFLOW_POLLERS: 'autoscaling:12' }).workflowTaskPollers).toEqual({
      type: 'autoscaling',
      maximum: 12,
      initial: 5,
    });
    expect(loadWorkerSettings({ JOURNEY_WORKER_WORKFLOW_POLLERS: 'autoscaling:3' }).workflowTaskPollers).toEqual({
      type: 'autoscaling',
      maximum: 3,
      initial: 3,
    });
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_WORKFLOW_POLLERS: 'autoscaling:' })).toThrow(/"autoscaling:"/);
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_WORKFLOW_POLLERS: 'autoscaling:1' })).toThrow(WorkerSettingsError);
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_WORKFLOW_POLLERS: '1' })).toThrow(WorkerSettingsError);
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_WORKFLOW_POLLERS: 'lots' })).toThrow(/JOURNEY_WORKER_WORKFLOW_POLLERS="lots"/);
  });
});
