// Writes the message model tables into docs/journeys.md from definitions/catalog/message-model.schema.json.
// `--check` exits 1 when the docs are stale (test/messages-shipped.test.ts checks the same).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withMessageModelDocs } from '../definitions/messages/model-docs.ts';

const DOC = fileURLToPath(new URL('../docs/journeys.md', import.meta.url));
const current = readFileSync(DOC, 'utf8');
const fresh = withMessageModelDocs(current);
if (process.argv.includes('--check')) {
  if (fresh !== current) {
    console.error('docs/journeys.md: the message model tables are stale: run `npm run docs:message-model`');
    process.exit(1);
  }
  console.log('docs/journeys.md message model is up to date');
} else {
  writeFileSync(DOC, fresh);
  console.log(`wrote the message model into ${DOC}`);
}
