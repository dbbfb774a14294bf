import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { startDevServer, freePort } from './scripts/dev-server.ts';
const { EventType } = proto.temporal.api.enums.v1;
const server = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH!, port: await freePort(), uiPort: await freePort(), dbFile: process.argv[2] });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
const rows: Array<[number, string]> = [];
for await (const w of client.workflow.list({ query: 'WorkflowType = "advocacyJourney"' })) {
  const h = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
  const ev = h.events!;
  const t0 = tsToMs(ev[0].eventTime);
  const lines = ev.slice(0, 14).map((e) => `${e.eventId} +${tsToMs(e.eventTime) - t0}ms ${EventType[e.eventType!]?.replace('EVENT_TYPE_', '')}`);
  const sched = ev.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)!;
  const started = ev.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)!;
  rows.push([tsToMs(started.eventTime) - tsToMs(sched.eventTime), `${w.workflowId}\n  ${lines.join('\n  ')}`]);
}
rows.sort((a, b) => b[0] - a[0]);
console.log(rows.map((r) => r[0]).join(' '));
for (const r of rows.slice(0, 3)) console.log(r[0], r[1]);
for (const r of rows.slice(-2)) console.log(r[0], r[1]);
await connection.close();
await server.stop();
