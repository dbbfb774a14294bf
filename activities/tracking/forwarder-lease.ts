// Which forwarder sends a tracking folder's records: every worker process runs a forwarder, and several may share
// one data folder, so one at a time holds a lease (a small file beside the cursors) and renews it while it runs;
// the others wait and take over once it lapses (its holder stopped or died). Two that race a takeover may both
// send for a moment: the receiver drops a repeated key, so the lease saves traffic, never correctness.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

interface LeaseFile {
  holder: string;
  until: number;
}

export class ForwarderLease {
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private heldUntil = 0;

  constructor(
    private readonly file: string,
    private readonly ttlMs = 60_000,
  ) {}

  private async read(): Promise<LeaseFile | undefined> {
    try {
      const lease = JSON.parse(await readFile(this.file, 'utf8')) as LeaseFile;
      return typeof lease?.holder === 'string' && Number.isFinite(lease.until) ? lease : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether this forwarder may send now: it holds the lease (renewed when half spent), or took a free or lapsed one. */
  async hold(now = Date.now()): Promise<boolean> {
    if (this.heldUntil - now > this.ttlMs / 2) return true;
    const current = await this.read();
    const lease = JSON.stringify({ holder: this.holder, until: now + this.ttlMs } satisfies LeaseFile);
    if (current?.holder === this.holder) {
      const tmp = `${this.file}.${this.holder.replace(/[^A-Za-z0-9]/g, '_')}.tmp`;
      await writeFile(tmp, lease);
      await rename(tmp, this.file);
      this.heldUntil = now + this.ttlMs;
      return true;
    }
    this.heldUntil = 0;
    if (current && current.until > now) return false;
    await mkdir(dirname(this.file), { recursive: true });
    if (current) await rm(this.file, { force: true }); // lapsed: its holder stopped renewing
    try {
      // Created only if absent: of forwarders starting together, exactly one gets it.
      await writeFile(this.file, lease, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lease file nobody could read for a while (its creator died before writing it) is cleared for the next try.
      const age =
        now -
        (await stat(this.file).then(
          (st) => st.mtimeMs,
          () => now,
        ));
      if (!(await this.read()) && age > 5_000) await rm(this.file, { force: true });
      return false;
    }
    this.heldUntil = now + this.ttlMs;
    return true;
  }

  /** Gives the lease up at once (a clean stop), so another forwarder need not wait for it to lapse. */
  async release(): Promise<void> {
    if ((await this.read())?.holder === this.holder) await rm(this.file, { force: true });
    this.heldUntil = 0;
  }
}
