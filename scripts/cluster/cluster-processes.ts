// The cluster's worker and API processes under supervision: one that dies unexpectedly (a crash, an OOM kill,
// SIGKILL) is started again after a short pause, as systemd's Restart=always or a Kubernetes Deployment would; its
// work waits in Temporal meanwhile, so nothing is lost. More than MAX_RESTARTS within a minute means it cannot run:
// then everything stops. processes.json in the data folder lists the live pids (for the scale bench and for tests).
import { writeFileSync, rmSync, renameSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { ProcessGroup } from '../start-processes.ts';

const RESTART_DELAY_MS = 1000;
const MAX_RESTARTS = 5;

interface Supervised {
  name: string;
  script: Parameters<ProcessGroup['run']>[1];
  env: Record<string, string>;
  info: Record<string, unknown>;
  child: ChildProcess;
  restarts: number[];
}

export class ClusterProcesses {
  stopping = false;
  private readonly byName = new Map<string, Supervised>();
  private summary: Record<string, unknown> = {};

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void = (l) => console.error(`[cluster] ${l}`),
    private readonly giveUp: () => void = () => process.kill(process.pid, 'SIGTERM'),
  ) {}

  /** Starts `script` in `group` as `name`; returns a getter for its current process (it changes on a restart). */
  supervise(
    group: ProcessGroup,
    name: string,
    script: Supervised['script'],
    env: Record<string, string>,
    info: Record<string, unknown> = {},
  ) {
    const entry: Supervised = { name, script, env, info, child: group.run(name, script, env), restarts: [] };
    this.byName.set(name, entry);
    this.groupOf.set(name, group);
    this.rewrite();
    return () => this.byName.get(name)!.child;
  }

  private readonly groupOf = new Map<string, ProcessGroup>();

  onUnexpectedExit(name: string, code: number | null): void {
    const entry = this.byName.get(name);
    if (this.stopping || !entry) return;
    const now = Date.now();
    entry.restarts = entry.restarts.filter((t) => now - t < 60_000);
    if (entry.restarts.length >= MAX_RESTARTS) {
      this.log(`${name} exited ${MAX_RESTARTS} times within a minute (last: ${code ?? 'signal'}): stopping everything`);
      this.giveUp();
      return;
    }
    entry.restarts.push(now);
    this.log(`${name} (pid ${entry.child.pid}) exited unexpectedly (${code ?? entry.child.signalCode}); restarting it`);
    setTimeout(() => {
      if (this.stopping) return;
      entry.child = this.groupOf.get(name)!.run(name, entry.script, entry.env);
      this.log(`${name} restarted as pid ${entry.child.pid}`);
      this.rewrite();
    }, RESTART_DELAY_MS);
  }

  /** Records what the cluster is (address, data folder...) beside the live pids. */
  write(summary: Record<string, unknown>): void {
    this.summary = summary;
    this.rewrite();
  }

  clear(): void {
    rmSync(this.file, { force: true });
  }

  private rewrite(): void {
    const processes = [...this.byName.values()].map((e) => ({ name: e.name, pid: e.child.pid, restarts: e.restarts.length, ...e.info }));
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ...this.summary, launcherPid: process.pid, processes }, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
