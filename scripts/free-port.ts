// Ports for the servers this project starts on 127.0.0.1 (the dev server, the API, the UI, the Java test server).
import { connect, createServer } from 'node:net';

/**
 * A port the OS says is free right now on 127.0.0.1, held back from the OS's next picks for about a minute. Linux
 * hands out ports at random for bind(0), so a port closed plain may be given again at once: the dev server picks
 * its internal ports that way right after we hand it ours, and one run of the suite failed on it (the frontend's
 * "bind: address already in use"). As the Temporal CLI's own GetFreePort does: a connection to the port, closed
 * from the listening side first, leaves the port in TIME_WAIT (60 s), so no bind(0) gets it, while an explicit
 * bind to it still succeeds (Go and libuv set SO_REUSEADDR).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer((accepted) => accepted.destroy()); // the listening side closes first: its end waits
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      const client = connect(port, '127.0.0.1');
      client.on('error', () => {}); // a reset after the server's close is expected
      client.once('close', () => srv.close(() => resolve(port)));
      client.resume();
    });
  });
}
