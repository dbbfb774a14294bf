// `journey outbox list` / `journey outbox show <id>`: the messages the embedded email transport wrote instead of
// sending (no POSTMARK_SERVER_TOKEN). Each is exactly the request Postmark would have received.
import type { Command } from 'commander';
import { listOutbox, readOutboxMessage, type StoredOutboxMessage } from '../../activities/outbox.ts';

const defaultDataDir = () => process.env.JOURNEY_DATA_DIR || 'data';

function what(m: StoredOutboxMessage): string {
  return m.subject ?? `[template ${m.templateAlias}]`;
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows)
    process.stdout.write(`${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}\n`);
}

function printMessage(m: StoredOutboxMessage): void {
  const msg = m.message as unknown as Record<string, unknown>;
  const lines = [
    `id:        ${m.id}`,
    `send key:  ${m.sendKey}`,
    `stored at: ${m.storedAt}`,
    `endpoint:  POST ${m.endpoint}`,
    '',
    `From:          ${msg.From}`,
    `To:            ${msg.To}`,
    m.subject !== undefined ? `Subject:       ${m.subject}` : `TemplateAlias: ${m.templateAlias}`,
    `MessageStream: ${msg.MessageStream}`,
    `Tag:           ${msg.Tag}`,
    `Metadata:      ${JSON.stringify(msg.Metadata)}`,
    ...((msg.Headers as { Name: string; Value: string }[] | undefined) ?? []).map((h) => `Header:        ${h.Name}: ${h.Value}`),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if ('TemplateModel' in msg) process.stdout.write(`TemplateModel:\n${JSON.stringify(msg.TemplateModel, null, 2)}\n`);
  if (typeof msg.TextBody === 'string') process.stdout.write(`TextBody:\n${msg.TextBody}\n`);
  if (typeof msg.HtmlBody === 'string') process.stdout.write(`HtmlBody:\n${msg.HtmlBody}\n`);
}

export function register(program: Command): void {
  const outbox = program
    .command('outbox')
    .description('the local outbox: emails written instead of sent when POSTMARK_SERVER_TOKEN is not set');

  // `journey outbox` alone lists: what anyone typing it wants to see first.
  outbox
    .command('list', { isDefault: true })
    .description('list the messages in <data dir>/outbox, oldest first (the default)')
    .option('--data-dir <dir>', 'the data folder (default: $JOURNEY_DATA_DIR or ./data)')
    .option('--json', 'print the messages as JSON')
    .action(async (options: { dataDir?: string; json?: boolean }) => {
      const messages = await listOutbox(options.dataDir ?? defaultDataDir());
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ messages }, null, 2)}\n`);
        return;
      }
      if (messages.length === 0) {
        process.stdout.write('The outbox is empty.\n');
        return;
      }
      printTable([
        ['ID', 'STORED AT', 'STREAM', 'TAG', 'TO', 'SUBJECT'],
        ...messages.map((m) => [m.id.slice(0, 12), m.storedAt, m.messageStream, m.tag ?? '', m.to, what(m)]),
      ]);
      process.stdout.write(`\n${messages.length} message${messages.length === 1 ? '' : 's'}; \`journey outbox show <id>\` prints one.\n`);
    });

  outbox
    .command('show <id>')
    .description('print one message: its id (or a unique prefix of it) or its send key')
    .option('--data-dir <dir>', 'the data folder (default: $JOURNEY_DATA_DIR or ./data)')
    .option('--json', 'print the stored file as JSON (the Postmark request is under "message")')
    .action(async (id: string, options: { dataDir?: string; json?: boolean }) => {
      const message = await readOutboxMessage(options.dataDir ?? defaultDataDir(), id);
      if (!message) {
        process.stderr.write(`No outbox message "${id}" (or the prefix matches more than one). \`journey outbox list\` shows the ids.\n`);
        process.exitCode = 1;
        return;
      }
      if (options.json) process.stdout.write(`${JSON.stringify(message, null, 2)}\n`);
      else printMessage(message);
    });
}
