// The Java test server, started from a class-data-sharing archive: the JVM maps the classes the server loads at
// start-up from one file instead of reading and verifying them from ~100 jars, which halves its start (measured
// 1.9 s → 0.95 s to listening on this machine). A replay starts one server per command, so this is about a third of a
// short `journey simulate`. The archive is built once per test server and JVM (a server started with
// -XX:ArchiveClassesAtExit, stopped once it listens) under the cache folder, written then renamed. Anything
// unexpected (not the project's Java wrapper, no archive could be built) falls back to the server as given: the
// archive only changes how fast the JVM starts, never what the server does.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { engineCacheDir } from '../engine-cache.ts';
import { dirname, join } from 'node:path';
import { freePort } from '../../scripts/free-port.ts';

const BUILD_TIMEOUT_MS = 60_000;

interface JavaCommand {
  /** The wrapper's `java …` options before `-cp`. */
  options: string;
  classPath: string;
  /** The server's jars folder, and the jars put before it (scripts/obtain-temporal.sh's timer fix). */
  lib: string;
  before: string[];
}

/**
 * The `exec java … -cp "[$here/<fix>.jar:]$here/lib/*" io.temporal.testserver.TestServer "$@"` line of the project's
 * wrapper (scripts/obtain-temporal.sh, write_test_server_wrapper).
 */
export function readWrapper(testServerPath: string): JavaCommand | undefined {
  let text: string;
  try {
    text = readFileSync(testServerPath, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^exec java (.*?)-cp "((?:\$here\/[\w.-]+\.jar:)*)\$here\/lib\/\*" io\.temporal\.testserver\.TestServer "\$@"$/m.exec(text);
  const here = dirname(testServerPath);
  const lib = join(here, 'lib');
  if (!m || !existsSync(lib)) return undefined;
  const before = m[2]
    .split(':')
    .filter(Boolean)
    .map((entry) => join(here, entry.slice('$here/'.length)));
  if (!before.every((jar) => existsSync(jar))) return undefined;
  return { options: m[1].trim(), classPath: [...before, `${lib}/*`].join(':'), lib, before };
}

function javaBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'java');
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  return undefined;
}

/** The archive belongs to exactly one JVM build and one set of jars. */
function archiveKey(java: string, command: JavaCommand): string {
  const hash = createHash('sha256')
    .update(java)
    .update(String(statSync(java).mtimeMs))
    .update(command.options);
  for (const jar of command.before)
    hash
      .update(jar)
      .update(String(statSync(jar).size))
      .update(String(statSync(jar).mtimeMs));
  for (const jar of readdirSync(command.lib).sort()) hash.update(jar).update(String(statSync(join(command.lib, jar)).size));
  return hash.digest('hex').slice(0, 20);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts the server once with -XX:ArchiveClassesAtExit, stops it (SIGTERM: the JVM writes the archive on exit). */
async function buildArchive(java: string, command: JavaCommand, archive: string): Promise<boolean> {
  const tmp = `${archive}.${process.pid}.tmp`;
  const port = await freePort();
  const args = [`-XX:ArchiveClassesAtExit=${tmp}`, ...command.options.split(/\s+/).filter(Boolean)];
  const child = spawn(java, [...args, '-cp', command.classPath, 'io.temporal.testserver.TestServer', String(port)], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  try {
    while (!(await listening(port))) {
      if (Date.now() > deadline || child.exitCode !== null) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, BUILD_TIMEOUT_MS))]);
    if (!existsSync(tmp) || statSync(tmp).size === 0) return false;
    renameSync(tmp, archive);
    return true;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(tmp, { force: true });
  }
}

/**
 * A path the SDK can start as `<path> <port>`: a wrapper that runs the same server with its class-data archive, or
 * `testServerPath` itself when that cannot be arranged.
 */
export async function fastStartingTestServer(testServerPath: string, cacheDir = engineCacheDir('test-server-cds')): Promise<string> {
  if (process.env.JOURNEY_REPLAY_NO_CDS) return testServerPath;
  try {
    const command = readWrapper(testServerPath);
    const java = command && javaBinary();
    if (!command || !java) return testServerPath;
    const key = archiveKey(java, command);
    const archive = join(cacheDir, `test-server-${key}.jsa`);
    const wrapper = join(cacheDir, `test-server-${key}.sh`);
    if (existsSync(wrapper) && existsSync(archive)) return wrapper;
    mkdirSync(cacheDir, { recursive: true });
    if (!existsSync(archive) && !(await buildArchive(java, command, archive))) return testServerPath;
    const script =
      '#!/usr/bin/env bash\n# The time-skipping test server started from its class-data archive (cli/replay/test-server-cds.ts).\n' +
      `exec '${java}' -XX:SharedArchiveFile='${archive}' -Xshare:auto ${command.options} -cp '${command.classPath}' io.temporal.testserver.TestServer "$@"\n`;
    const tmp = `${wrapper}.${process.pid}.tmp`;
    writeFileSync(tmp, script, { mode: 0o755 });
    renameSync(tmp, wrapper);
    return wrapper;
  } catch {
    return testServerPath;
  }
}
