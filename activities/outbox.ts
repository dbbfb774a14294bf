// The embedded email transport: each message that Postmark would receive is written as one JSON file in
// <dataDir>/outbox, named by a digest of its send key, so a retried send never writes a second message.
// A file holds an envelope (send key, time, endpoint) and `message`: byte for byte the JSON body the
// `postmark` client would have POSTed to that endpoint.
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DEFAULT_FROM, type PostmarkEmailBody, type PostmarkRequest, type PostmarkTemplateBody } from './email/message.ts';

/** The foundation's simple message shape (the scaffold workflow writes these). */
export interface OutboxMessage {
  idempotencyKey: string;
  to: string;
  subject: string;
  textBody?: string;
  htmlBody?: string;
  tag?: string;
  metadata?: Record<string, string>;
}

/** What one outbox file holds. */
export interface OutboxFile {
  id: string;
  sendKey: string;
  storedAt: string;
  endpoint: PostmarkRequest['endpoint'];
  message: PostmarkEmailBody | PostmarkTemplateBody;
}

/** An outbox file as read back, with a short summary for listings (derived from `message`, not stored). */
export interface StoredOutboxMessage extends OutboxFile {
  to: string;
  subject?: string;
  templateAlias?: string;
  tag?: string;
  messageStream: string;
}

export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}

/** The outbox id of a send key: also its file name (without `.json`). */
export function outboxIdFor(sendKey: string): string {
  return createHash('sha256').update(sendKey).digest('hex').slice(0, 32);
}

export interface OutboxWriteResult {
  id: string;
  /** false when a message with this send key was already in the outbox (nothing written). */
  written: boolean;
}

/** Writes the Postmark request unless one with the same send key is already there. */
export async function writePostmarkRequestToOutbox(
  dataDir: string,
  sendKey: string,
  request: PostmarkRequest,
  now = new Date(),
): Promise<OutboxWriteResult> {
  const dir = outboxDir(dataDir);
  await mkdir(dir, { recursive: true });
  const id = outboxIdFor(sendKey);
  const target = join(dir, `${id}.json`);
  const file: OutboxFile = { id, sendKey, storedAt: now.toISOString(), endpoint: request.endpoint, message: request.body };
  const tmp = `${target}.${process.pid}.${now.getTime()}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, JSON.stringify(file, null, 2));
  try {
    await link(tmp, target); // atomic: fails with EEXIST when this key was already delivered
    return { id, written: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { id, written: false };
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The foundation's writer, kept for the scaffold workflow: the same file format as every other send. */
export async function writeToOutbox(dataDir: string, message: OutboxMessage, now = new Date()): Promise<boolean> {
  const body: PostmarkEmailBody = {
    From: DEFAULT_FROM,
    To: message.to,
    Subject: message.subject,
    ...(message.htmlBody !== undefined ? { HtmlBody: message.htmlBody } : {}),
    ...(message.textBody !== undefined ? { TextBody: message.textBody } : {}),
    MessageStream: 'outbound',
    Tag: message.tag ?? '',
    Metadata: message.metadata ?? {},
  };
  const { written } = await writePostmarkRequestToOutbox(dataDir, message.idempotencyKey, { endpoint: '/email', body }, now);
  return written;
}

function summarize(file: OutboxFile): StoredOutboxMessage {
  const m = file.message;
  return {
    ...file,
    to: m.To,
    subject: 'Subject' in m ? m.Subject : undefined,
    templateAlias: 'TemplateAlias' in m ? m.TemplateAlias : undefined,
    tag: m.Tag,
    messageStream: m.MessageStream,
  };
}

/** Reads one message by its outbox id (or a unique prefix of it); undefined when absent. */
export async function readOutboxMessage(dataDir: string, idOrPrefix: string): Promise<StoredOutboxMessage | undefined> {
  const all = await listOutbox(dataDir);
  const exact = all.find((m) => m.id === idOrPrefix || m.sendKey === idOrPrefix);
  if (exact) return exact;
  const byPrefix = all.filter((m) => m.id.startsWith(idOrPrefix));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

/** Every message in the outbox, oldest first. */
export async function listOutbox(dataDir: string): Promise<StoredOutboxMessage[]> {
  const dir = outboxDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = await Promise.all(
    names.filter((n) => n.endsWith('.json')).map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as OutboxFile),
  );
  return files.map(summarize).sort((a, b) => a.storedAt.localeCompare(b.storedAt) || a.id.localeCompare(b.id));
}
