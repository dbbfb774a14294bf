// bench/scale-measure.ts's reading of the Temporal server's JSON log: history's failed pushes of workflow tasks to
// matching, by how they ended, in a window (the signature of the tasks the server starts and no worker gets; lines
// shaped as temporal-server 1.29.1 writes them).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bucketQuantile, describeTaskTimes, taskTimesBetween, transferFailuresInLog, workerTaskTimes } from '../bench/scale-measure.ts';

const dir = mkdtempSync(join(tmpdir(), 'scale-measure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failure = (ts: string, error: string, type = 'TransferWorkflowTask') =>
  JSON.stringify({
    level: 'warn',
    ts,
    msg: 'Fail to process task',
    component: 'transfer-queue-processor',
    'wf-id': 'customer:c1',
    'queue-task-type': type,
    'wf-history-event-id': 3,
    error,
    attempt: 2,
  });

describe("the server log's failed task pushes (bench/scale.ts, cluster target)", () => {
  it('counts canceled and deadline failures of workflow task pushes inside the window, and nothing else', async () => {
    const file = join(dir, 'temporal-server.log');
    writeFileSync(
      file,
      [
        failure('2026-12-06T13:30:19.332Z', 'stream terminated by RST_STREAM with error code: CANCEL'),
        failure('2026-12-06T13:30:20.000Z', 'stream terminated by RST_STREAM with error code: CANCEL'),
        failure('2026-12-06T13:30:07.351Z', 'context deadline exceeded'),
        failure('2026-12-06T13:30:08.000Z', 'shard status unknown'),
        // Outside the window, another queue task type, another message, and a line that is not JSON.
        failure('2026-12-06T13:40:00.000Z', 'stream terminated by RST_STREAM with error code: CANCEL'),
        failure('2026-12-06T13:30:21.000Z', 'stream terminated by RST_STREAM with error code: CANCEL', 'TransferActivityTask'),
        JSON.stringify({
          level: 'error',
          ts: '2026-12-06T13:30:22.000Z',
          msg: 'Update workflow execution operation failed.',
          error: 'context canceled',
        }),
        'panic: not json "Fail to process task" "TransferWorkflowTask"',
        '',
      ].join('\n'),
    );
    const from = Date.parse('2026-12-06T13:30:00Z');
    const to = Date.parse('2026-12-06T13:35:00Z');
    expect(await transferFailuresInLog(file, from, to)).toEqual({ canceled: 2, deadline: 1, other: 1 });
    expect(await transferFailuresInLog(file, to, to + 3_600_000)).toEqual({ canceled: 1, deadline: 0, other: 0 });
    expect(await transferFailuresInLog(join(dir, 'missing.log'), from, to)).toBeUndefined();
  });

  it("splits the workflow tasks taken by worker process, a restarted worker's counters included", async () => {
    // Two workers' SDK metrics pages, as the worker serves them (the counts per queue and per sticky queue).
    const pages = [
      [5, 3],
      [0, 0],
    ];
    const page = (taken: number[]) =>
      [
        '# TYPE temporal_workflow_task_schedule_to_start_latency_count counter',
        `temporal_workflow_task_schedule_to_start_latency_count{namespace="default",task_queue="journeys"} ${taken[0]}`,
        `temporal_workflow_task_schedule_to_start_latency_count{namespace="default",task_queue="vm:sticky-1"} ${taken[1]}`,
        '',
      ].join('\n');
    const servers: Server[] = [];
    const urls: string[] = [];
    for (const i of [0, 1]) {
      const server = createServer((_req, res) => res.end(page(pages[i])));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    }
    try {
      const before = await workerTaskTimes([...urls, 'http://127.0.0.1:1/metrics']);
      expect(before.takenByWorker).toEqual([8, 0, 0]);
      expect(before.workers).toBe(2);
      pages[0] = [12, 10]; // took 14 more
      pages[1] = [2, 1]; // restarted meanwhile and took 3 since
      const between = taskTimesBetween(
        { ...before, takenByWorker: [8, 7, 0] },
        await workerTaskTimes([...urls, 'http://127.0.0.1:1/metrics']),
      );
      expect(between.takenByWorker).toEqual([14, 3, 0]);
      expect(describeTaskTimes(between)).toContain('  taken by each worker process: 14 (82 %) / 3 (18 %) / 0 (0 %)');
    } finally {
      for (const server of servers) server.close();
    }
  });

  it("reads where the p99 of a worker's held time lies, to the SDK's bucket, from the histogram's growth between two reads", async () => {
    expect(bucketQuantile({ '10': 50, '20': 98, '50': 99, '+Inf': 100 }, 0.99)).toBe('50');
    expect(bucketQuantile({ '10': 0, '+Inf': 0 }, 0.99)).toBeUndefined();
    let counts = [0, 0, 0, 0]; // cumulative at 10, 50, 100 ms, +Inf
    const page = () =>
      ['10', '50', '100', '+Inf']
        .map(
          (le, i) => `temporal_workflow_task_execution_latency_bucket{namespace="default",task_queue="journeys",le="${le}"} ${counts[i]}`,
        )
        .concat(`temporal_workflow_task_execution_latency_count{namespace="default",task_queue="journeys"} ${counts[3]}`)
        .join('\n');
    const server = createServer((_req, res) => res.end(`${page()}\n`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    try {
      counts = [900, 990, 1000, 1000]; // before the step: a tail that is not the step's
      const before = await workerTaskTimes([url]);
      counts = [1900, 1990, 2000, 2000]; // the step: 1,000 more, every one within 10 ms
      const step = taskTimesBetween(before, await workerTaskTimes([url]));
      expect(step.executionBuckets.journeys).toEqual({ '10': 1000, '50': 1000, '100': 1000, '+Inf': 1000 });
      expect(describeTaskTimes(step).join('\n')).toContain('(p99 <= 10 ms)');
      const later = await workerTaskTimes([url]);
      counts = [1900, 1990, 2100, 2200]; // then 200 more, half of them past the last bound
      const tail = taskTimesBetween(later, await workerTaskTimes([url]));
      expect(bucketQuantile(tail.executionBuckets.journeys, 0.5)).toBe('100');
      expect(describeTaskTimes(tail).join('\n')).toContain('(p99 past the last bucket)');
    } finally {
      server.close();
    }
  });
});
