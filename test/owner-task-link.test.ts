// The owner's Done / Decline link token (activities/crm/owner-task-link.ts): it opens only the task it was signed
// for, names no customer, refuses any change to a character, another secret, another page's token, and its expiry.
import { describe, expect, it } from 'vitest';
import {
  ownerTaskLinks,
  ownerTaskToken,
  readOwnerTaskToken,
  withOwnerTaskLinks,
  OWNER_LINK_MARGIN_MS,
} from '../activities/crm/owner-task-link.ts';
import { statusToken } from '../activities/email/status-link.ts';
import type { OwnerTaskRequest } from '../workflows/contract/index.ts';

const SECRET = 'owner-link-test-secret';
const DAY = 86_400_000;
const subject = {
  taskId: 'journey:strategic-reference-advisory:cust-4711:1:owner-task:reference-call',
  journeyId: 'strategic-reference-advisory',
  customerId: 'cust-4711',
  expiresAt: Date.parse('2026-12-20T10:00:00Z'),
};

describe('owner task link token', () => {
  it('reads back the task it was signed for, valid to the end of its expiry day', () => {
    const token = ownerTaskToken(SECRET, subject);
    const read = readOwnerTaskToken(SECRET, token, Date.parse('2026-12-20T23:00:00Z'));
    expect(read).toEqual({ ok: true, subject: { ...subject, expiresAt: Date.parse('2026-12-21T00:00:00Z') } });
    expect(ownerTaskToken(SECRET, subject), 'a retry renders the same link').toBe(token);
  });

  it('reveals neither the customer id nor the task id', () => {
    const token = ownerTaskToken(SECRET, subject);
    const decoded = Buffer.from(token.split('.')[0], 'base64url').toString('latin1');
    expect(token).not.toContain('cust-4711');
    expect(decoded).not.toContain('cust-4711');
    expect(decoded).not.toContain('owner-task');
  });

  it('refuses a token with any character of its body or signature changed', () => {
    const token = ownerTaskToken(SECRET, subject);
    const now = Date.parse('2026-12-01T00:00:00Z');
    for (const i of [0, 5, token.indexOf('.') - 1, token.indexOf('.') + 1, token.length - 1]) {
      const c = token[i] === 'A' ? 'B' : 'A';
      const forged = token.slice(0, i) + c + token.slice(i + 1);
      expect(readOwnerTaskToken(SECRET, forged, now), `char ${i}`).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(readOwnerTaskToken('another-secret', token, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(readOwnerTaskToken(SECRET, `${token}.x`, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(readOwnerTaskToken(SECRET, 'not-a-token', now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('does not take a status-page token signed with the same secret', () => {
    const status = statusToken(SECRET, { customerId: 'cust-4711', journeyId: subject.journeyId, expiresAt: subject.expiresAt });
    expect(readOwnerTaskToken(SECRET, status, Date.parse('2026-12-01T00:00:00Z'))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('expires after its day', () => {
    const token = ownerTaskToken(SECRET, subject);
    expect(readOwnerTaskToken(SECRET, token, Date.parse('2026-12-21T00:00:01Z'))).toEqual({ ok: false, reason: 'expired' });
  });

  it("puts Done and Decline links in the task email's model, valid past the task's deadline by the margin", () => {
    const req = {
      taskId: subject.taskId,
      customerId: subject.customerId,
      journeyId: subject.journeyId,
      dueAt: '2026-12-13T10:00:00.000Z',
      email: { model: { task: { customerName: 'Casey' } } },
    } as unknown as OwnerTaskRequest;
    const links = { publicUrl: 'https://journeys.example.com', secret: SECRET, mailbox: 'u@example.com' };
    const model = withOwnerTaskLinks(req, ownerTaskLinks(req, links)).email.model as Record<string, string>;
    expect(model.ownerTaskDoneUrl).toMatch(/^https:\/\/journeys\.example\.com\/o\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\?answer=done$/);
    expect(model.ownerTaskDeclineUrl).toBe(model.ownerTaskDoneUrl.replace('answer=done', 'answer=decline'));
    const token = model.ownerTaskUrl.split('/o/')[1];
    const dueEnd = Date.parse(req.dueAt) + OWNER_LINK_MARGIN_MS;
    expect(readOwnerTaskToken(SECRET, token, dueEnd - DAY).ok).toBe(true);
    expect(readOwnerTaskToken(SECRET, token, dueEnd + DAY)).toEqual({ ok: false, reason: 'expired' });
  });
});
