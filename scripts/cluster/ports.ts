// Every port `npm run start:cluster` opens on 127.0.0.1 has a setting and a fixed default (scripts/cluster/start-cluster.ts).
// A second topology beside an operator's own (the suite's cluster test, the benches) must set each one to a free port,
// or it fails on whichever it left at its default while the operator's cluster runs: the UI's 8333 did
// (test/cluster-ports.test.ts checks this list against what the launcher reads).
import { freePort } from '../dev-server.ts';

/** The launcher's port settings; JOURNEY_CLUSTER_API_PORTS takes one port per API process. */
export const CLUSTER_PORT_SETTINGS = [
  'JOURNEY_CLUSTER_TEMPORAL_PORT',
  'JOURNEY_CLUSTER_PG_PORT',
  'JOURNEY_CLUSTER_API_PORTS',
  'JOURNEY_CLUSTER_UI_PORT',
] as const;

/** A free port for each of the launcher's port settings (two APIs), as environment variables for it. */
export async function freeClusterPorts(): Promise<Record<(typeof CLUSTER_PORT_SETTINGS)[number], string>> {
  return {
    JOURNEY_CLUSTER_TEMPORAL_PORT: String(await freePort()),
    JOURNEY_CLUSTER_PG_PORT: String(await freePort()),
    JOURNEY_CLUSTER_API_PORTS: `${await freePort()},${await freePort()}`,
    JOURNEY_CLUSTER_UI_PORT: String(await freePort()),
  };
}
