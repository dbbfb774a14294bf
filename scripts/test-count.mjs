// Prints the suite's count as the last line of `npm test` and of CI: `N passed, N failed, N skipped`, alone on its
// line, from vitest's JSON report (test/.artifacts/vitest-report.json). Plain JavaScript on purpose: it must run
// even when the npm packages failed to install. Exits with the code the run should end with.
//
//   node scripts/test-count.mjs <exit code of the step that ran last>
//
// Honest counting: a test that never ran because its file or a hook failed counts as failed, not skipped; a run
// that never reached the suite (a failed install, lint or type check: test/.artifacts/test-step names the step)
// counts as one failure; so does an exit code that says vitest failed while no test did (an unhandled error).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// JOURNEY_TEST_ARTIFACTS: another folder (the count's own test uses it).
const ARTIFACTS = process.env.JOURNEY_TEST_ARTIFACTS || join(import.meta.dirname, '..', 'test', '.artifacts');
const REPORT_FILE = join(ARTIFACTS, 'vitest-report.json');
const STEP_FILE = join(ARTIFACTS, 'test-step');

/** The count of one vitest JSON report, and why it fails when no single test says so. */
function countReport(report) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const notes = [];
  for (const file of report.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    const filePassed = tests.filter((t) => t.status === 'passed').length;
    const fileFailed = tests.filter((t) => t.status === 'failed').length;
    passed += filePassed;
    if (file.status === 'failed' && fileFailed === 0) {
      // The file failed outside its tests (import, beforeAll, afterAll): whatever did not pass did not run.
      const notRun = Math.max(1, tests.length - filePassed);
      failed += notRun;
      notes.push(`${file.name}: failed outside its tests (${(file.message || 'see above').split('\n')[0]}); ${notRun} counted as failed`);
    } else {
      failed += fileFailed;
      skipped += tests.length - filePassed - fileFailed;
    }
  }
  return { passed, failed, skipped, notes };
}

function main() {
  const exitCode = Number(process.argv[2] ?? 0);
  const step = existsSync(STEP_FILE) ? readFileSync(STEP_FILE, 'utf8').trim() : '';
  if (step !== 'suite' || !existsSync(REPORT_FILE)) {
    const what = !step ? 'npm test, before its first step,' : step === 'suite' ? 'vitest (it wrote no report)' : `the "${step}" step`;
    console.log(`[count] the suite did not run to its end: ${what} failed (see above)`);
    console.log('0 passed, 1 failed, 0 skipped');
    process.exit(exitCode === 0 ? 1 : exitCode);
  }
  const { passed, failed: counted, skipped, notes } = countReport(JSON.parse(readFileSync(REPORT_FILE, 'utf8')));
  for (const note of notes) console.log(`[count] ${note}`);
  let failed = counted;
  if (exitCode !== 0 && failed === 0) {
    console.log(`[count] vitest exited with code ${exitCode} while no test failed: an error outside the tests (see above)`);
    failed = 1;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(exitCode !== 0 ? exitCode : failed > 0 ? 1 : 0);
}

main();
