// What bench/scale.ts measures with: a process's CPU time and RSS from /proc, the size of a folder or file, the
// effects the runs wrote (NDJSON lines, read incrementally as they are appended), percentiles and a progress bar.
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fetchPrometheusSamples, sumSamples } from '../scripts/prometheus-text.ts';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ProcSample {
  at: number;
  cpuSeconds: number;
  rssBytes: number;
}

/** CPU time (user + system) and resident memory of one process, or undefined when it is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { at: performance.now(), cpuSeconds, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/**
 * The highest RSS of each group of processes while it runs, read every `everyMs` (the pids are asked for again each
 * time: a supervised process that restarts gets a new one). The peak of the group is its largest process's.
 */
export class PeakRss {
  private readonly peaks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly pids: () => Record<string, number[]>,
    everyMs = 5_000,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }
  private sample(): void {
    for (const [group, ps] of Object.entries(this.pids()))
      for (const pid of ps) {
        const rss = sampleProcess(pid)?.rssBytes ?? 0;
        if (rss > (this.peaks.get(group) ?? 0)) this.peaks.set(group, rss);
      }
  }
  /** Stops sampling; the peak bytes of each group (0 for a group never seen running). */
  stop(): Record<string, number> {
    clearInterval(this.timer);
    this.sample();
    return Object.fromEntries(this.peaks);
  }
}

/** Percent of one core used between two samples. */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
  return ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100;
}

/** Bytes on disk of a file or a folder (recursively). */
export function diskBytes(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + diskBytes(join(path, name)), 0);
}

/**
 * Follows NDJSON files as they grow (our workers' tracking logs, the raw worker's effect file), keeping for each
 * event id the time its effect was logged. `pick` maps a parsed line to [eventId, loggedAt ms] or undefined.
 */
export class EffectTail {
  readonly effects = new Map<string, number>();
  private readonly offsets = new Map<string, number>();
  private readonly partial = new Map<string, string>();

  constructor(
    private readonly files: () => string[],
    private readonly pick: (line: Record<string, unknown>) => [string, number] | undefined,
  ) {}

  poll(): void {
    for (const file of this.files()) {
      const from = this.offsets.get(file) ?? 0;
      const size = existsSync(file) ? statSync(file).size : 0;
      if (size <= from) continue;
      const buf = Buffer.alloc(size - from);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buf, 0, buf.length, from);
      } finally {
        closeSync(fd);
      }
      this.offsets.set(file, size);
      const text = (this.partial.get(file) ?? '') + buf.toString('utf8');
      const lines = text.split('\n');
      this.partial.set(file, lines.pop() ?? '');
      for (const line of lines) {
        try {
          const hit = this.pick(JSON.parse(line) as Record<string, unknown>);
          if (hit && !this.effects.has(hit[0])) this.effects.set(hit[0], hit[1]);
        } catch {
          /* a torn line: its record is written again by the worker that retries it */
        }
      }
    }
  }
}

export const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;

/** One line redrawn in place on a terminal; a line every 10 % otherwise (CI logs, files). */
export class ProgressBar {
  private lastDecile = -1;
  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  draw(done: number, extra: string): void {
    const frac = this.total ? done / this.total : 1;
    const width = 30;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const text = `${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en')}/${this.total.toLocaleString('en')} ${extra}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\x1b[K`);
    else if (Math.floor(frac * 10) > this.lastDecile) {
      this.lastDecile = Math.floor(frac * 10);
      process.stderr.write(`${text}\n`);
    }
  }

  end(): void {
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}

/** What the server counted of the tasks it gave up on, from its Prometheus metrics: workflow tasks that timed out (a
 *  worker took the task and never answered: the SDK dropped it, or the worker died), workflow tasks that waited on a
 *  worker's sticky queue past their schedule-to-start timeout (the SDK's stickyQueueScheduleToStartTimeout, 10 s:
 *  the task goes back to the shared queue, and the worker that takes it there replays the run's history if it has
 *  not cached the run) and queries that timed out. */
export interface ServerTimeouts {
  workflowTasks: number;
  stickyWaits: number;
  queries: number;
}

export function timeoutsBetween(before: ServerTimeouts, after: ServerTimeouts): ServerTimeouts {
  return {
    workflowTasks: after.workflowTasks - before.workflowTasks,
    stickyWaits: after.stickyWaits - before.stickyWaits,
    queries: after.queries - before.queries,
  };
}

export async function serverTimeouts(metricsUrl: string): Promise<ServerTimeouts> {
  const samples = await fetchPrometheusSamples(metricsUrl);
  const workflowTask = (labels: Record<string, string>) => labels.operation === 'TimerActiveTaskWorkflowTaskTimeout';
  return {
    workflowTasks: sumSamples(samples, 'start_to_close_timeout', workflowTask),
    stickyWaits: sumSamples(samples, 'schedule_to_start_timeout', workflowTask),
    queries: sumSamples(samples, 'consistent_query_timeout'),
  };
}

/** One task queue's workflow tasks, summed over our worker processes (the SDK's Prometheus metrics; times in ms). */
export interface QueueTaskTimes {
  /** Tasks taken, and their total wait on the server's queues before a worker took them (schedule-to-start). */
  taken: number;
  scheduleToStartMs: number;
  /** Tasks answered, and their total time in the worker (taken → answered), a local activity's wait included. */
  answered: number;
  executionMs: number;
  cacheHits: number;
  cacheMisses: number;
  forcedEvictions: number;
}

/** Where our workers' workflow tasks spent their time, and the start-facts reads (the local activity a fresh journey
 *  run's first task waits on: a query of customer:<id>, journey/start-facts.ts). Counters: compare two reads. */
export interface WorkerTaskTimes {
  /** The workers whose metrics answered. */
  workers: number;
  /** Workflow tasks each worker took, over every queue, in the order of the URLs read (a worker that did not answer
   *  counts 0): how evenly the server spread them. */
  takenByWorker: number[];
  queues: Record<string, QueueTaskTimes>;
  startFactsReads: number;
  startFactsReadMs: number;
  /** The read's two parts (the worker's journey_start_facts_read_ms): the visibility lookup of an earlier closed run
   *  and the query of customer:<id>, each a count and a total. */
  parts: Record<string, { n: number; ms: number }>;
  /** Per queue, the SDK's histogram of the time a worker held a task (temporal_workflow_task_execution_latency): the
   *  cumulative count at each bucket's upper bound in ms ("+Inf" too). Where a p99 lies, to the bucket. */
  executionBuckets: Record<string, Record<string, number>>;
}

/** The upper bound (ms) of the histogram bucket that holds the q-quantile, or undefined with no samples. */
export function bucketQuantile(buckets: Record<string, number>, q: number): string | undefined {
  const bounds = Object.entries(buckets).sort(([a], [b]) => Number(a) - Number(b)); // "+Inf" sorts last (Infinity)
  const total = bounds.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  return bounds.find(([, cumulative]) => cumulative >= q * total)![0];
}

const emptyQueue = (): QueueTaskTimes => ({
  taken: 0,
  scheduleToStartMs: 0,
  answered: 0,
  executionMs: 0,
  cacheHits: 0,
  cacheMisses: 0,
  forcedEvictions: 0,
});

/** Reads every worker's metrics; a worker that does not answer (restarting) counts nothing. */
export async function workerTaskTimes(urls: readonly string[]): Promise<WorkerTaskTimes> {
  const out: WorkerTaskTimes = {
    workers: 0,
    takenByWorker: [],
    queues: {},
    startFactsReads: 0,
    startFactsReadMs: 0,
    parts: {},
    executionBuckets: {},
  };
  const fields: Record<string, keyof QueueTaskTimes> = {
    temporal_workflow_task_schedule_to_start_latency_count: 'taken',
    temporal_workflow_task_schedule_to_start_latency_sum: 'scheduleToStartMs',
    temporal_workflow_task_execution_latency_count: 'answered',
    temporal_workflow_task_execution_latency_sum: 'executionMs',
    temporal_sticky_cache_hit: 'cacheHits',
    temporal_sticky_cache_miss: 'cacheMisses',
    temporal_sticky_cache_total_forced_eviction: 'forcedEvictions',
  };
  for (const url of urls) {
    const samples = await fetchPrometheusSamples(url, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    out.takenByWorker.push(samples ? sumSamples(samples, 'temporal_workflow_task_schedule_to_start_latency_count') : 0);
    if (!samples) continue;
    out.workers++;
    for (const { name, labels, value } of samples) {
      if (name.startsWith('temporal_local_activity_execution_latency_') && labels.activity_type === 'readCustomerStartFacts') {
        if (name.endsWith('_count')) out.startFactsReads += value;
        if (name.endsWith('_sum')) out.startFactsReadMs += value;
        continue;
      }
      const part = /^journey_start_facts_read_ms\w*_(sum|count)$/.test(name) ? labels.part : undefined;
      if (part) {
        const p = (out.parts[part] ??= { n: 0, ms: 0 });
        if (name.endsWith('_count')) p.n += value;
        else p.ms += value;
        continue;
      }
      if (name === 'temporal_workflow_task_execution_latency_bucket' && labels.task_queue && labels.le) {
        const buckets = (out.executionBuckets[labels.task_queue] ??= {});
        buckets[labels.le] = (buckets[labels.le] ?? 0) + value;
        continue;
      }
      const field = fields[name];
      if (field && labels.task_queue) (out.queues[labels.task_queue] ??= emptyQueue())[field] += value;
    }
  }
  return out;
}

export function taskTimesBetween(before: WorkerTaskTimes, after: WorkerTaskTimes): WorkerTaskTimes {
  const queues: Record<string, QueueTaskTimes> = {};
  for (const [queue, a] of Object.entries(after.queues)) {
    const b = before.queues[queue] ?? emptyQueue();
    queues[queue] = Object.fromEntries(
      (Object.keys(a) as Array<keyof QueueTaskTimes>).map((k) => [k, Math.max(0, a[k] - b[k])]),
    ) as unknown as QueueTaskTimes;
  }
  const parts: WorkerTaskTimes['parts'] = {};
  for (const [part, a] of Object.entries(after.parts)) {
    const b = before.parts[part] ?? { n: 0, ms: 0 };
    parts[part] = { n: Math.max(0, a.n - b.n), ms: Math.max(0, a.ms - b.ms) };
  }
  const executionBuckets: WorkerTaskTimes['executionBuckets'] = {};
  for (const [queue, a] of Object.entries(after.executionBuckets)) {
    const b = before.executionBuckets[queue] ?? {};
    executionBuckets[queue] = Object.fromEntries(Object.entries(a).map(([le, n]) => [le, Math.max(0, n - (b[le] ?? 0))]));
  }
  return {
    workers: Math.min(before.workers, after.workers),
    executionBuckets,
    // A restarted worker's counters start again at 0: it counts what it took since.
    takenByWorker: after.takenByWorker.map((a, i) => (a >= (before.takenByWorker[i] ?? 0) ? a - (before.takenByWorker[i] ?? 0) : a)),
    queues,
    parts,
    startFactsReads: Math.max(0, after.startFactsReads - before.startFactsReads),
    startFactsReadMs: Math.max(0, after.startFactsReadMs - before.startFactsReadMs),
  };
}

/** The lines bench/scale.ts prints: per queue, the mean wait before a worker took a task and the mean time it held it. */
export function describeTaskTimes(t: WorkerTaskTimes): string[] {
  const mean = (ms: number, n: number) => (n ? `${(ms / n / 1000).toFixed(2)} s` : '-');
  // The SDK's buckets are coarse (1, 10, 20, 50, 100, 200, 500, 1000 ms): the p99 to the bucket, not to the ms.
  const heldP99 = (queue: string) => {
    const le = bucketQuantile(t.executionBuckets[queue] ?? {}, 0.99);
    return le === undefined ? '' : ` (p99 ${le === '+Inf' ? 'past the last bucket' : `<= ${le} ms`})`;
  };
  const lines = Object.entries(t.queues)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([queue, q]) =>
        `  ${queue}: ${q.taken} tasks taken, waited ${mean(q.scheduleToStartMs, q.taken)} on the server, held ` +
        `${mean(q.executionMs, q.answered)} in the worker${heldP99(queue)}; sticky cache ${q.cacheHits} hits, ${q.cacheMisses} misses, ` +
        `${q.forcedEvictions} runs evicted to make room`,
    );
  if (t.takenByWorker.length > 1) {
    const all = t.takenByWorker.reduce((a, b) => a + b, 0);
    const shares = t.takenByWorker.map((n) => `${n} (${all ? Math.round((100 * n) / all) : 0} %)`);
    lines.push(`  taken by each worker process: ${shares.join(' / ')}`);
  }
  const parts = Object.entries(t.parts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([part, p]) => `${part} ${mean(p.ms, p.n)} (${p.n})`)
    .join(', ');
  lines.push(
    `  start-facts reads (a fresh run's first task waits on them): ${t.startFactsReads}, ${mean(t.startFactsReadMs, t.startFactsReads)} each` +
      (parts ? `; by part: ${parts}` : ''),
  );
  return lines;
}

/** History's pushes of workflow tasks to matching that failed, from the server's JSON log (the cluster target's
 *  temporal-server.log), between two instants: each is a `Fail to process task` of a `TransferWorkflowTask`, counted by
 *  how it ended. `canceled` (the call ended with RST_STREAM CANCEL) is the signature of the tasks the server still
 *  starts and no worker gets (bench/README.md, scale, stop 48); `deadline` ran out of history's 3 s for the task. */
export interface TransferFailures {
  canceled: number;
  deadline: number;
  other: number;
}

/** Read as a stream: the log of a long run reaches gigabytes. */
export async function transferFailuresInLog(file: string, fromMs: number, toMs: number): Promise<TransferFailures | undefined> {
  if (!existsSync(file)) return undefined;
  const counts: TransferFailures = { canceled: 0, deadline: 0, other: 0 };
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.includes('"Fail to process task"') || !line.includes('"TransferWorkflowTask"')) continue;
    let entry: { ts?: string; msg?: string; 'queue-task-type'?: string; error?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const at = Date.parse(entry.ts ?? '');
    if (entry.msg !== 'Fail to process task' || entry['queue-task-type'] !== 'TransferWorkflowTask' || !(at >= fromMs && at <= toMs))
      continue;
    const error = String(entry.error ?? '');
    if (/RST_STREAM with error code: CANCEL/.test(error)) counts.canceled++;
    else if (/deadline exceeded/i.test(error)) counts.deadline++;
    else counts.other++;
  }
  return counts;
}
