// The operator's steps in the Temporal UI (2.42), as page actions: search the workflow list with a
// visibility query, open a run, read its user metadata. Selectors are the UI's own test ids and roles.
import type { Page } from 'playwright-core';

/** Opens the workflow list and types a visibility query into the UI's manual query box. */
export async function searchWorkflows(page: Page, uiUrl: string, namespace: string, query: string): Promise<void> {
  await page.goto(`${uiUrl}/namespaces/${namespace}/workflows`);
  await page.getByTestId('toggle-manual-query').click();
  const input = page.getByTestId('manual-search-input');
  await input.fill(query);
  await input.press('Enter');
}

/** Clicks the run in the list by its workflow id and waits for its page. */
export async function openRun(page: Page, workflowId: string): Promise<void> {
  await page.getByRole('link', { name: workflowId, exact: true }).first().click();
  await page.waitForURL(/\/workflows\/[^/]+\/[^/]+\/history/);
}

/** Opens the run's "User Metadata" tab (summary, details, current details). */
export async function openUserMetadata(page: Page): Promise<void> {
  await page.getByTestId('user-metadata-tab').click();
  await page.waitForURL(/\/user-metadata/);
}

/**
 * The visible text of the page, including the sandboxed frames in which the UI renders the
 * Markdown of summaries and details (they are not part of the main document's text).
 */
export async function visibleText(page: Page): Promise<string> {
  const parts: string[] = [];
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue; // frames of pages navigated away from
    parts.push(await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')); // a frame may be mid-load
  }
  return parts.join('\n');
}

/** Where the last line of a Markdown panel stands: inside its frame's visible area, and the frame inside the window. */
export interface PanelFit {
  lastLine: string;
  lastLineBottom: number;
  frameHeight: number;
  contentHeight: number;
  frameBottomInWindow: number;
  windowHeight: number;
}

/** The fit of the sandboxed frame whose text contains `marker` (e.g. the run's Current Details), or undefined. */
export async function panelFit(page: Page, marker: string): Promise<PanelFit | undefined> {
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue;
    const inFrame = await frame
      .evaluate((m) => {
        const body = document.body;
        if (!body?.innerText.includes(m)) return undefined;
        // The last text node with text in it, measured as a range: the panel's last rendered line.
        const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
        let last: Text | undefined;
        for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent?.trim()) last = n as Text;
        if (!last) return undefined;
        const range = document.createRange();
        range.selectNodeContents(last);
        const rects = range.getClientRects();
        const bottom = rects.length ? rects[rects.length - 1].bottom : range.getBoundingClientRect().bottom;
        return {
          lastLine: last.textContent!.trim(),
          lastLineBottom: bottom,
          frameHeight: document.documentElement.clientHeight,
          contentHeight: document.documentElement.scrollHeight,
        };
      }, marker)
      .catch(() => undefined);
    if (!inFrame) continue;
    const box = await (await frame.frameElement()).boundingBox();
    return {
      ...inFrame,
      frameBottomInWindow: box ? box.y + Math.min(box.height, inFrame.lastLineBottom) : Number.POSITIVE_INFINITY,
      windowHeight: page.viewportSize()?.height ?? 0,
    };
  }
  return undefined;
}
