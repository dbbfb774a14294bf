// The built-in CRM of one machine: owner tasks and referral records as JSON files under <dataDir>/crm (tasks/,
// referrals/), for operators and the API to read, the way the outbox holds email. A task file is written once
// (link, never overwritten); a referral file is one record per referral, updated at each stage and idempotent per
// stage key, replaced atomically (rename).
import { createHash } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OwnerTaskRequest, ReferralRecordRequest, ReferralStage } from '../../workflows/contract/index.ts';

export function crmDir(dataDir: string, kind: 'tasks' | 'referrals'): string {
  return join(dataDir, 'crm', kind);
}

/** A readable, safe file name for any id: its tame characters, then a digest (two ids never share a file). */
export function crmFileName(id: string): string {
  const tame = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return `${tame}-${createHash('sha256').update(id).digest('hex').slice(0, 12)}.json`;
}

export interface StoredOwnerTask extends Omit<OwnerTaskRequest, 'email'> {
  provider: 'email';
  subject: string;
  createdAt: string;
}

/** Writes the task unless it is there; false when it was (a retry). */
export async function writeTaskFile(dataDir: string, task: StoredOwnerTask): Promise<boolean> {
  const dir = crmDir(dataDir, 'tasks');
  await mkdir(dir, { recursive: true });
  const target = join(dir, crmFileName(task.taskId));
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(task, null, 2)}\n`);
  try {
    await link(tmp, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

export interface StoredReferral {
  referralId: string;
  source: ReferralRecordRequest['source'];
  advocate: ReferralRecordRequest['advocate'];
  referred?: ReferralRecordRequest['referred'];
  stage: ReferralStage;
  amount?: number;
  currency?: string;
  updatedAt: string;
  stages: { stage: ReferralStage; at: string; key: string }[];
}

/** Upserts the referral's record with this stage; false when the stage key was already written. */
export async function writeReferralFile(dataDir: string, req: ReferralRecordRequest): Promise<boolean> {
  const dir = crmDir(dataDir, 'referrals');
  await mkdir(dir, { recursive: true });
  const target = join(dir, crmFileName(`${req.source.journeyId}:${req.referralId}`));
  const existing = await readFile(target, 'utf8').then(
    (text) => JSON.parse(text) as StoredReferral,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    },
  );
  if (existing?.stages.some((s) => s.key === req.idempotencyKey)) return false;
  const stages = [...(existing?.stages ?? []), { stage: req.stage, at: req.at, key: req.idempotencyKey }];
  // The record shows its latest stage by time (a late write of an earlier stage does not move it back).
  const latest = stages.reduce((a, b) => (Date.parse(b.at) >= Date.parse(a.at) ? b : a));
  const record: StoredReferral = {
    referralId: req.referralId,
    source: req.source,
    advocate: { ...existing?.advocate, ...req.advocate },
    ...(existing?.referred || req.referred ? { referred: { ...existing?.referred, ...req.referred } } : {}),
    stage: latest.stage,
    ...((req.amount ?? existing?.amount) !== undefined ? { amount: req.amount ?? existing?.amount } : {}),
    ...((req.currency ?? existing?.currency) ? { currency: req.currency ?? existing?.currency } : {}),
    updatedAt: new Date().toISOString(),
    stages,
  };
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmp, target);
  return true;
}

async function readAll<T>(dir: string): Promise<T[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = names.filter((n) => n.endsWith('.json')).sort();
  return Promise.all(files.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as T));
}

export const listCrmTasks = (dataDir: string) => readAll<StoredOwnerTask>(crmDir(dataDir, 'tasks'));
export const listCrmReferrals = (dataDir: string) => readAll<StoredReferral>(crmDir(dataDir, 'referrals'));
