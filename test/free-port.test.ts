// freePort (scripts/dev-server.ts): the ports the suite, npm start and the benches hand to the dev server are held
// back from the OS's next bind(0) picks, so the dev server's own port picks cannot take one of them. A run of the
// suite failed once on exactly that ("Failed to start gRPC listener ... bind: address already in use" on the
// frontend port, 2026-12-05). The hold is the port in TIME_WAIT on the listening side, read from /proc/net/tcp.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../scripts/free-port.ts';

/** TCP states of the IPv4 sockets whose local end is 127.0.0.1:port (st column of /proc/net/tcp, hex). */
function statesOn(port: number): string[] {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1] === local)
    .map((f) => f[3]);
}

const listenOn = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });

describe('freePort', () => {
  it.skipIf(!existsSync('/proc/net/tcp'))(
    'leaves the port in TIME_WAIT on its own side (no bind(0) picks it for a minute), and an explicit listen on it still works',
    async () => {
      const ports = [await freePort(), await freePort(), await freePort()];
      expect(new Set(ports).size).toBe(3);
      for (const port of ports) {
        expect(statesOn(port), `TIME_WAIT (06) on 127.0.0.1:${port}`).toContain('06');
        await listenOn(port); // what the dev server, the API and the UI do with it next
      }
    },
  );
});
