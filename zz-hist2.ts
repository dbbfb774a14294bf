import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { startDevServer, freePort } from './scripts/dev-server.ts';
const { EventType } = proto.temporal.api.enums.v1;
const server = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH!, port: await freePort(), uiPort: await freePort(), dbFile: process.argv[2] });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
type Row = { id: string; type: string; start: number; wait: number; firstDone: number; startedBy: string };
const rows: Row[] = [];
for await (const w of client.workflow.list({ query: 'WorkflowType IN ("advocacyJourney", "customerProfile")' })) {
  const h = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
  const ev = h.events!;
  const sched = ev.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)!;
  const started = ev.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)!;
  const done = ev.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  rows.push({ id: w.workflowId, type: w.type, start: tsToMs(sched.eventTime), wait: tsToMs(started.eventTime) - tsToMs(sched.eventTime), firstDone: done ? tsToMs(done.eventTime) : NaN, startedBy: started.workflowTaskStartedEventAttributes?.identity ?? '' });
}
rows.sort((a, b) => a.start - b.start);
const t0 = rows[0].start;
for (const r of rows) console.log(`${String(r.start - t0).padStart(6)} wait ${String(r.wait).padStart(3)} ${r.type === 'customerProfile' ? 'C' : 'J'} ${r.id} took ${r.firstDone - r.start - r.wait}`);
await connection.close();
await server.stop();
