// One Temporal call per delivery where a run may have to be started: signalWithStart, whose answer says whether it
// started a run (`started`, servers from 1.27 on). The SDK's signalWithStart returns only the run id, so the answer
// is read where the client's service call returns: a wrapper on the connection's signalWithStartWorkflowExecution
// stores it in the caller's async context (nothing else changes for other callers of that connection). A server that
// does not say (older, or the time-skipping test server) is asked the old way: signal, and start only when no run is
// open (api/routing.ts), so the API's answer stays true on every server.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@temporalio/client';

const answer = new AsyncLocalStorage<{ started?: boolean }>();
const watched = new WeakSet<object>();
const serverSays = new WeakMap<Client, Promise<boolean>>();

/** The first server version whose SignalWithStartWorkflowExecutionResponse carries `started`. */
const FIRST_VERSION_WITH_STARTED = [1, 27];

function watch(client: Client): void {
  const service = client.workflowService as unknown as Record<string, (req: unknown) => Promise<{ started?: boolean }>>;
  if (watched.has(service)) return;
  const call = service.signalWithStartWorkflowExecution;
  service.signalWithStartWorkflowExecution = async (req: unknown) => {
    const res = await call.call(service, req);
    const slot = answer.getStore();
    if (slot) slot.started = res?.started === true;
    return res;
  };
  watched.add(service);
}

function versionAtLeast(version: string, min: number[]): boolean {
  const parts = version.split(/[.-]/).map((p) => Number(p));
  for (let i = 0; i < min.length; i++) {
    const p = parts[i];
    if (!Number.isFinite(p)) return false;
    if (p !== min[i]) return p > min[i];
  }
  return true;
}

/** Whether this client's server reports `started` (asked once per client; a failed ask is asked again next time). */
export function serverReportsStarted(client: Client): Promise<boolean> {
  let known = serverSays.get(client);
  if (!known) {
    known = client.workflowService.getSystemInfo({}).then((info) => {
      const ok = versionAtLeast(info.serverVersion ?? '', FIRST_VERSION_WITH_STARTED);
      if (ok) watch(client);
      return ok;
    });
    known.catch(() => serverSays.delete(client));
    serverSays.set(client, known);
  }
  return known;
}

/** Runs a signalWithStart (serverReportsStarted must have answered true) and says whether it started the run. */
export async function signalWithStartReporting<T>(call: () => Promise<T>): Promise<{ result: T; started: boolean }> {
  const slot: { started?: boolean } = {};
  const result = await answer.run(slot, call);
  if (slot.started === undefined) throw new Error('signalWithStart returned without the server saying whether it started a run');
  return { result, started: slot.started };
}
