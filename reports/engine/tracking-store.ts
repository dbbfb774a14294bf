// The KPI store: a DuckDB database beside the tracking logs (<data>/kpi-store/tracking.duckdb) that holds every
// record once, in columns, with the `tracking` view's rows already derived. Reading 5 million JSON lines costs
// minutes; the store reads each log's bytes once, by a cursor per file, and each report first ingests what was
// appended since (only complete lines: a line being written, or a torn one, waits), so a report is always exact
// and live. A record key seen again (a retried append, the same line in two processes' files) is not stored again.
//
// Only the advocates a new batch touched have their view rows recomputed (every derived column is a fact of one
// advocate or one of their referrals, see derivedRowsSql), and their ids are logged in `dirty` for the rollups
// (kpi-rollup.ts). Reading those advocates' older records is the costly step (their rows lie in every vector of a
// table of millions, so every column of every vector would be decoded): `credited_first_batch` names the first batch
// holding each advocate's records, so the read starts at the earliest batch a touched advocate appears in and skips,
// by zone map on `seq`, every row group before it. New advocates cost no read of older batches at all; one whose
// first records came in the first (bulk) batch still costs a scan of it. Rows, cursors and the dirty log move in one
// transaction, so a crash mid-ingest leaves the store as it was. A log that vanished, shrank or was replaced, or a
// store written by another version of this code, is rebuilt from the logs.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { copyRange, endOfCompleteLines, logIdentity } from './log-ranges.ts';
import { dedupedSql, derivedRowsSql, lineRowsSql, linesSource, ownersSql, sqlString, trackingLogFiles } from './tracking-view.ts';

export const STORE_FILE = join('kpi-store', 'tracking.duckdb');

/** Changes whenever what the store holds would change: a store written with other SQL is rebuilt. */
const SCHEMA = createHash('sha256')
  .update(`store 2\n${lineRowsSql(linesSource([]))}\n${derivedRowsSql('records', 'owners')}\n${ownersSql('records')}`)
  .digest('hex')
  .slice(0, 16);

export interface IngestSummary {
  /** The logs read. */
  files: string[];
  /** The ingest batch the store is at (each report that found new lines adds one). */
  seq: number;
  /** This call: bytes read, distinct new records stored, advocates recomputed, whether the store was rebuilt. */
  bytes: number;
  newRecords: number;
  advocates: number;
  /** The first ingest batch whose stored records this call read to recompute the touched advocates (= seq: none older). */
  readFromBatch: number;
  rebuilt: boolean;
}

export interface TrackingStore {
  conn: DuckDBConnection;
  ingest: IngestSummary;
}

/** Runs `use` on the store of a data folder after ingesting the logs' new lines; one caller at a time per process. */
export async function withTrackingStore<T>(dataDir: string, use: (store: TrackingStore) => Promise<T>): Promise<T> {
  const path = join(dataDir, STORE_FILE);
  const previous = queues.get(path) ?? Promise.resolve();
  const mine = previous.then(async () => {
    const instance = await openStore(path);
    const conn = await instance.connect();
    try {
      await conn.run(`SET TimeZone = 'UTC'`);
      return await use({ conn, ingest: await ingestOrRebuild(conn, dataDir, path) });
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(path, settled);
  void settled.then(() => queues.get(path) === settled && queues.delete(path));
  return mine;
}

const queues = new Map<string, Promise<void>>();

/** Another process (the API, a CLI report) may hold the file for a moment: wait for it, bounded. */
async function openStore(path: string): Promise<DuckDBInstance> {
  await mkdir(join(path, '..'), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      // Bounded: past the limit DuckDB spills to <store>.tmp instead of growing.
      return await DuckDBInstance.create(path, {
        preserve_insertion_order: 'false',
        memory_limit: process.env.JOURNEY_KPI_STORE_MEMORY ?? '4GB',
      });
    } catch (err) {
      if (!/lock/i.test((err as Error).message) || attempt >= 60) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjects();
}

async function ingestOrRebuild(conn: DuckDBConnection, dataDir: string, path: string): Promise<IngestSummary> {
  await createTables(conn);
  const schema = (await rows(conn, `SELECT value FROM store_meta WHERE name = 'schema'`))[0]?.value;
  const cursors = await rows(conn, `SELECT file, log_id, "offset" FROM cursors`);
  let rebuild = schema !== undefined && schema !== SCHEMA;
  for (const c of cursors) {
    const id = await logIdentity(String(c.file));
    if (!id || id.id !== c.log_id || id.size < Number(c.offset)) rebuild = true;
  }
  if (rebuild) {
    for (const t of [
      'store_meta',
      'cursors',
      'records',
      'credited_first_batch',
      'owners',
      'tracking_rows',
      'dirty',
      'rollups',
      'report_cache',
    ])
      await conn.run(`DROP TABLE IF EXISTS ${t}`);
    for (const r of await rows(conn, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'rollup_%'`))
      await conn.run(`DROP TABLE "${String(r.table_name)}"`);
    await createTables(conn);
  }
  await conn.run(`INSERT OR REPLACE INTO store_meta VALUES ('schema', ${sqlString(SCHEMA)})`);
  const summary = await ingest(conn, dataDir, join(path, '..'), rebuild ? new Map() : new Map(cursors.map((c) => [String(c.file), c])));
  return { ...summary, rebuilt: rebuild };
}

async function createTables(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE TABLE IF NOT EXISTS store_meta (name VARCHAR PRIMARY KEY, value VARCHAR)`);
  await conn.run(`CREATE TABLE IF NOT EXISTS cursors (file VARCHAR PRIMARY KEY, log_id VARCHAR, "offset" BIGINT)`);
  await conn.run(
    `CREATE TABLE IF NOT EXISTS records AS SELECT *, NULL::UHUGEINT AS key_id, NULL::UBIGINT AS credited_hash, NULL::INTEGER AS seq
      FROM (${lineRowsSql(linesSource([]))}) WHERE false`,
  );
  if ((await rows(conn, `SELECT 1 FROM duckdb_tables() WHERE table_name = 'credited_first_batch'`)).length === 0) {
    // A store written before this table existed gets it from its records once (under 1 s of CPU at 5 M), not a rebuild.
    await conn.run(`CREATE TABLE credited_first_batch AS SELECT credited_hash AS h, min(seq) AS seq FROM records GROUP BY ALL`);
  }
  await conn.run(`CREATE TABLE IF NOT EXISTS owners AS SELECT * FROM (${ownersSql('records')}) WHERE false`);
  await conn.run(
    `CREATE TABLE IF NOT EXISTS tracking_rows AS SELECT *, NULL::UBIGINT AS adv_hash, NULL::INTEGER AS seq FROM (${derivedRowsSql('records', 'owners')}) WHERE false`,
  );
  await conn.run(`CREATE TABLE IF NOT EXISTS dirty (seq INTEGER, h UBIGINT)`);
}

async function ingest(
  conn: DuckDBConnection,
  dataDir: string,
  storeDir: string,
  cursors: Map<string, Record<string, unknown>>,
): Promise<Omit<IngestSummary, 'rebuilt'>> {
  const files = await trackingLogFiles(dataDir);
  const seq = Number((await rows(conn, `SELECT value FROM store_meta WHERE name = 'seq'`))[0]?.value ?? 0) + 1;
  await conn.run(`CREATE OR REPLACE TEMP TABLE batch_lines AS SELECT * FROM (${lineRowsSql(linesSource([]))}) WHERE false`);
  const moved: { file: string; id: string; end: number }[] = [];
  let bytes = 0;
  for (const file of files) {
    const id = await logIdentity(file);
    if (!id) continue;
    const from = Number(cursors.get(file)?.offset ?? 0);
    const end = await endOfCompleteLines(file, from, id.size);
    if (end <= from) continue;
    // A log read from its start is read in place (a line appended meanwhile is read again later and not stored
    // twice); the new bytes of a log read before are copied out, as DuckDB reads whole files.
    const range = from > 0 ? join(storeDir, `range-${process.pid}.ndjson`) : undefined;
    if (range) await copyRange(file, from, end, range);
    try {
      await conn.run(
        `INSERT INTO batch_lines SELECT * REPLACE (${sqlString(file)} AS source_file) FROM (${lineRowsSql(linesSource([range ?? file]))})`,
      );
    } finally {
      if (range) await rm(range, { force: true });
    }
    moved.push({ file, id: id.id, end });
    bytes += end - from;
  }
  if (moved.length === 0) return { files, seq: seq - 1, bytes: 0, newRecords: 0, advocates: 0, readFromBatch: seq - 1 };
  await conn.run('BEGIN TRANSACTION');
  try {
    // The keys already stored are found by probing the store's 5 M keys against the batch's few (the batch is the
    // hash table): an ANTI JOIN against `records` itself would build its table from every stored key (0.7 s at 5 M).
    await conn.run(`CREATE OR REPLACE TEMP TABLE batch_records AS
      SELECT *, md5_number(record_key) AS key_id, hash(credited) AS credited_hash, ${seq} AS seq FROM (${dedupedSql('SELECT * FROM batch_lines')})`);
    await conn.run(`INSERT INTO records SELECT b.* FROM batch_records b
      ANTI JOIN (SELECT key_id FROM records SEMI JOIN batch_records USING (key_id)) known USING (key_id)`);
    const newRecords = Number((await rows(conn, `SELECT count(*) AS n FROM records WHERE seq = ${seq}`))[0].n);
    const { advocates, readFromBatch } = newRecords > 0 ? await deriveRows(conn, seq) : { advocates: 0, readFromBatch: seq };
    for (const m of moved) await conn.run(`INSERT OR REPLACE INTO cursors VALUES (${sqlString(m.file)}, ${sqlString(m.id)}, ${m.end})`);
    await conn.run(`INSERT OR REPLACE INTO store_meta VALUES ('seq', '${seq}')`);
    await conn.run('COMMIT');
    return { files, seq, bytes, newRecords, advocates, readFromBatch };
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  } finally {
    await conn.run('DROP TABLE IF EXISTS batch_lines');
    await conn.run('DROP TABLE IF EXISTS batch_records');
  }
}

/**
 * Recomputes the view rows of the advocates batch `seq` touched; returns how many advocate keys. Advocates are
 * handled by a 64-bit hash of their id (`adv_hash`), so finding their rows among millions is an integer join; two
 * ids that share a hash are simply recomputed together, which keeps it exact. Every row recomputed carries the batch
 * in `seq`, so a rollup catches up by reading only the rows of later batches (their row groups, by zone map).
 */
async function deriveRows(conn: DuckDBConnection, seq: number): Promise<{ advocates: number; readFromBatch: number }> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE batch_refs AS
    SELECT DISTINCT referral_id FROM records WHERE seq = ${seq} AND referral_id IS NOT NULL`);
  // A new submission may change who owns a referral that records already named (e.g. a backend's lead.qualified
  // that arrived first): the advocate those records counted for before, and the new owner, are both recomputed.
  await conn.run(`CREATE OR REPLACE TEMP TABLE dirty_now AS SELECT DISTINCT h FROM (
      SELECT credited_hash AS h FROM records WHERE seq = ${seq}
      UNION ALL SELECT hash(o_advocate_id) FROM owners WHERE referral_id IN (SELECT referral_id FROM batch_refs)
      UNION ALL SELECT credited_hash FROM records WHERE journey_id IS NULL AND referral_id IN (SELECT referral_id FROM batch_refs)
    ) WHERE h IS NOT NULL`);
  await conn.run(`DELETE FROM owners WHERE referral_id IN (SELECT referral_id FROM batch_refs)`);
  await conn.run(`INSERT INTO owners ${ownersSql('records', 'SELECT referral_id FROM batch_refs')}`);
  await conn.run(`INSERT INTO dirty_now SELECT DISTINCT hash(o_advocate_id) FROM owners
    WHERE referral_id IN (SELECT referral_id FROM batch_refs) AND hash(o_advocate_id) NOT IN (SELECT h FROM dirty_now)`);
  const stamped = (rowsSql: string) => `INSERT INTO tracking_rows SELECT *, hash(advocate_id) AS adv_hash, ${seq} AS seq FROM (${rowsSql})`;
  const total = Number((await rows(conn, `SELECT count(*) AS n FROM records`))[0].n);
  const fresh = Number((await rows(conn, `SELECT count(*) AS n FROM records WHERE seq = ${seq}`))[0].n);
  // The advocates first credited in this batch (the batch is the hash table, as for the keys above).
  await conn.run(`INSERT INTO credited_first_batch SELECT DISTINCT credited_hash, ${seq} FROM records
    WHERE seq = ${seq} AND credited_hash NOT IN (SELECT h FROM credited_first_batch SEMI JOIN
      (SELECT credited_hash AS h FROM records WHERE seq = ${seq}) batch USING (h))`);
  let readFromBatch = seq;
  if (fresh === total) {
    // The first batch: every row, in one pass.
    await conn.run(stamped(derivedRowsSql('records', 'owners')));
  } else {
    await conn.run(`DELETE FROM tracking_rows WHERE adv_hash IN (SELECT h FROM dirty_now)`);
    // The touched advocates' records: those credited to them, and the journey-less ones naming a referral they own.
    // Each as a SEMI/ANTI JOIN whose hash table is the small side (the touched advocates, their referrals). What
    // remains costly is reading the rows' columns: the touched rows lie in every vector of the table, so every column
    // of every vector is decoded (about 1 s of CPU at 5 M records); the journey-less part is cheap (a scan filter).
    await conn.run(`CREATE OR REPLACE TEMP TABLE dirty_refs AS
      SELECT referral_id FROM owners SEMI JOIN dirty_now ON hash(owners.o_advocate_id) = dirty_now.h`);
    // Only the batches from the first one a touched advocate appears in: the rows before lie in row groups the scan
    // skips by their zone map on `seq` (all of them when every touched advocate is new).
    readFromBatch = Number(
      (await rows(conn, `SELECT coalesce(min(seq), ${seq}) AS s FROM credited_first_batch SEMI JOIN dirty_now USING (h)`))[0].s,
    );
    // Only the columns the view's rows are derived from: the 16-byte key ids and the batch stamp are not read.
    await conn.run(`CREATE OR REPLACE TEMP TABLE theirs AS
      SELECT * EXCLUDE (key_id, seq) FROM records SEMI JOIN dirty_now ON records.credited_hash = dirty_now.h
        WHERE records.seq >= ${readFromBatch}
      UNION ALL
      SELECT * EXCLUDE (key_id, seq) FROM (SELECT * FROM records SEMI JOIN dirty_refs USING (referral_id) WHERE journey_id IS NULL)
        ANTI JOIN dirty_now ON credited_hash = dirty_now.h`);
    const resolved = `(SELECT t.* FROM theirs t LEFT JOIN owners o USING (referral_id)
      WHERE hash(CASE WHEN t.journey_id IS NULL AND o.o_advocate_id IS NOT NULL THEN o.o_advocate_id ELSE t.credited END)
        IN (SELECT h FROM dirty_now))`;
    await conn.run(stamped(derivedRowsSql(resolved, 'owners')));
    await conn.run(`DROP TABLE theirs`);
    await conn.run(`DROP TABLE dirty_refs`);
  }
  await conn.run(`INSERT INTO dirty SELECT ${seq}, h FROM dirty_now`);
  return { advocates: Number((await rows(conn, `SELECT count(*) AS n FROM dirty_now`))[0].n), readFromBatch };
}
