// Shared inputs for the email tests: a realistic ask and a logger that keeps every line it is given.
import type { SendEmailRequest } from '../../workflows/contract/index.ts';
import { readFileSync } from 'node:fs';
import type { EmailLogger } from '../../activities/email/index.ts';

export const INVITE_TEMPLATE = readFileSync(new URL('../../definitions/templates/referral-invite.mustache', import.meta.url), 'utf8');

export function sampleAsk(overrides: Partial<SendEmailRequest> = {}): SendEmailRequest {
  const sendKey = overrides.sendKey ?? `journey:nps-referral:cust-1:invite:referral:${Math.random().toString(36).slice(2, 8)}`;
  return {
    sendKey,
    customerId: 'cust-1',
    journeyId: 'nps-referral',
    journeyVersion: 2,
    step: 'invite:referral:1',
    to: 'ada@example.com',
    template: { file: 'templates/referral-invite.mustache', subject: '{{traits.firstName}}, know a team like yours?' },
    localTemplateBody: INVITE_TEMPLATE,
    model: {
      traits: { firstName: 'Ada', company: 'Analytical Engines' },
      model: { productName: 'Acme', friendOffer: '20% off', advocateOffer: 'a $100 credit' },
      actionLink: 'https://acme.test/r/ADA42',
      unsubscribeLink: 'https://acme.test/unsub/abc',
    },
    messageStream: 'broadcast',
    unsubscribeUrl: 'https://acme.test/unsub/abc',
    ...overrides,
  };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  fields: object;
  msg: string;
}

export function capturingLogger(): EmailLogger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (fields, msg) => lines.push({ level: 'info', fields, msg }),
    warn: (fields, msg) => lines.push({ level: 'warn', fields, msg }),
    error: (fields, msg) => lines.push({ level: 'error', fields, msg }),
    text: () => JSON.stringify(lines),
  };
}
