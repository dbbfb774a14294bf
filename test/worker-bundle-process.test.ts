// The worker process bundles its workflows in a child process (worker/bundle-process.ts), so webpack's memory is not
// the worker's for its whole life. The bundle the child hands back must be the one the worker bundled itself before:
// the same workflows, with the encoding failure converter when payloads are encrypted; and a bundler that fails must
// stop the worker with the bundler's own words. (The memory it saves is a benchmark figure: bench/README.md.)
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleJourneyWorkflowsInChild, WorkflowBundleError } from '../worker/bundle-process.ts';
import { FAILURE_CONVERTER_PATH } from '../worker/data-converter.ts';
import { CUSTOMER_WORKFLOW_TYPE, JOURNEY_WORKFLOW_TYPE } from '../workflows/contract/index.ts';

describe('the workflow bundle built in a child process', () => {
  it('holds the journey and customer workflows, and the failure converter it was given', async () => {
    const plain = await bundleJourneyWorkflowsInChild();
    expect(plain.code).toContain(`function ${JOURNEY_WORKFLOW_TYPE}(`);
    expect(plain.code).toContain(`function ${CUSTOMER_WORKFLOW_TYPE}(`);
    expect(plain.code).not.toContain('encodeCommonAttributes: true');

    const encrypted = await bundleJourneyWorkflowsInChild({ failureConverterPath: FAILURE_CONVERTER_PATH });
    expect(encrypted.code).toContain('encodeCommonAttributes: true');
  }, 120_000);

  it("rejects with the bundler's output when it cannot bundle", async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'bundle-broken-')), 'failure-converter.cjs');
    writeFileSync(broken, 'exports.failureConverter = = ;\n');
    const err = await bundleJourneyWorkflowsInChild({ failureConverterPath: broken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowBundleError);
    expect((err as Error).message).toMatch(/the workflow bundler exited with code 1/);
    expect((err as Error).message).toContain('Webpack finished with errors');
  }, 120_000);
});
