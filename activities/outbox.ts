// The embedded email transport: each message that Postmark would receive is written as one JSON file
// in <dataDir>/outbox, named by its idempotency key, so a retried send never writes a second message.
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export interface OutboxMessage {
  idempotencyKey: string;
  to: string;
  subject: string;
  textBody?: string;
  htmlBody?: string;
  tag?: string;
  metadata?: Record<string, string>;
}

export interface StoredOutboxMessage extends OutboxMessage {
  storedAt: string;
}

export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}

function fileNameFor(idempotencyKey: string): string {
  return `${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}.json`;
}

/** Writes the message unless one with the same idempotency key is already there. Returns whether it wrote. */
export async function writeToOutbox(dataDir: string, message: OutboxMessage, now = new Date()): Promise<boolean> {
  const dir = outboxDir(dataDir);
  await mkdir(dir, { recursive: true });
  const target = join(dir, fileNameFor(message.idempotencyKey));
  const stored: StoredOutboxMessage = { ...message, storedAt: now.toISOString() };
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(stored, null, 2));
  try {
    await link(tmp, target); // atomic: fails with EEXIST when this key was already delivered
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function listOutbox(dataDir: string): Promise<StoredOutboxMessage[]> {
  const dir = outboxDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const messages = await Promise.all(
    names.filter((n) => n.endsWith('.json')).map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8'))),
  );
  return messages.sort((a, b) => a.storedAt.localeCompare(b.storedAt));
}
