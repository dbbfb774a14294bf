// `npm run postmark:fake`: the Postmark-compatible server of the tests (test/postmark/server.ts), on its own, so
// anyone can try the real email path by hand: the worker's real `postmark` client sends to it, it answers with
// Postmark's status codes and ErrorCodes, and its outbound search is what the no-duplicates check reads.
// Settings: POSTMARK_FAKE_PORT (4010), POSTMARK_FAKE_TOKEN (the server token it accepts, `fake-server-token`),
// POSTMARK_FAKE_INACTIVE (comma-separated addresses it refuses as inactive, ErrorCode 406).
import { startFakePostmark } from '../test/postmark/server.ts';

const env = process.env;
const port = Number(env.POSTMARK_FAKE_PORT ?? 4010);
const token = env.POSTMARK_FAKE_TOKEN || 'fake-server-token';
const inactive = (env.POSTMARK_FAKE_INACTIVE ?? '')
  .split(',')
  .map((a) => a.trim())
  .filter(Boolean);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`[postmark-fake] POSTMARK_FAKE_PORT=${env.POSTMARK_FAKE_PORT} must be a port number`);
  process.exit(1);
}

const server = await startFakePostmark({
  serverTokens: [token],
  inactiveRecipients: inactive,
  port,
  onAccepted: (m) =>
    console.log(
      `[postmark-fake] accepted ${m.MessageID} ${m.endpoint} to ${m.body.To}: ${m.body.Subject ?? `template ${m.body.TemplateAlias}`}`,
    ),
}).catch((err: Error) => {
  console.error(`[postmark-fake] cannot listen on 127.0.0.1:${port}: ${err.message} (set POSTMARK_FAKE_PORT)`);
  process.exit(1);
});

console.log(`[postmark-fake] a Postmark-compatible server is listening on ${server.url} (server token: ${token})
[postmark-fake] send through it:  JOURNEY_DEV_MODE=1 POSTMARK_SERVER_TOKEN=${token} POSTMARK_API_URL=${server.url} npm start
[postmark-fake] what it accepted: curl -s '${server.url}/messages/outbound?count=50&offset=0' -H 'X-Postmark-Server-Token: ${token}'
[postmark-fake] Ctrl-C stops it (it keeps messages in memory only).`);

const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
