// What `journey simulate` prints: one dated line per tracking record (in the customer's zone), every send with its
// recipient and subject (joined from the outbox by send key), moved send times with their reason, holds and when
// they end, rewards, thank-yous; then the emails and the run's counts.
import { instantText, localText as formatLocal, readableReason } from '../../definitions/readable.ts';
import type { TrackingRecord } from '../../workflows/contract/index.ts';
import type { SimulationResult } from './run-timeline.ts';

type Data = Record<string, unknown>;
type Sent = SimulationResult['sent'][number];

function amountOf(d: Data): string {
  return d.amount !== undefined ? ` ${d.amount}${d.currency ? ` ${d.currency}` : ''}` : '';
}

function lineOf(rec: TrackingRecord, at: (iso: unknown) => string, mail: (sendKey: unknown) => string): string {
  const d: Data = rec.data ?? {};
  switch (rec.type) {
    case 'nps.received':
      return `NPS ${d.nps} heard`;
    case 'delight':
      return `delight: ${d.signal}`;
    case 'delight.ignored':
      return `delight ${d.signal} ignored: ${d.reason}`;
    case 'action.ignored':
      return `action ${d.eventType} ignored: ${d.reason}`;
    case 'event.ignored':
      return `event ${d.eventType} ignored (${d.reason}): ${d.detail}`;
    case 'event.dropped':
      return `event ${d.eventType} DROPPED unread (${d.reason}): ${d.detail}`;
    case 'qualified':
      return `qualified for ${d.motion} (${d.reason})`;
    case 'disqualified':
      return `disqualified (${d.reason})`;
    case 'ask.moved':
      return `invite #${d.attempt} moved from ${at(d.from)} to ${at(d.to)}: ${d.reason}`;
    case 'ask.held':
      return `invite #${d.attempt} held: ${d.reason}${d.until ? ` (until ${at(d.until)})` : ''}`;
    case 'ask.cancelled':
      return `invite #${d.attempt} cancelled: ${d.reason}`;
    case 'ask.failed':
      return `invite #${d.attempt} not sent: ${d.reason}${d.message ? ` (${d.message})` : ''}`;
    case 'ask.sent':
      return `SENT invite #${d.attempt} via ${d.channel}${mail(d.sendKey)}, template ${d.template}`;
    case 'suppressed':
      return `SUPPRESSED by ${d.rule} (${d.effect ?? ''}${d.reason ? `: ${d.reason}` : ''})${d.until ? ` until ${at(d.until)}` : ''}`;
    case 'suppression.resolved':
      return `${d.rule}${d.key ? ` ${d.key}` : ''} resolved; asks wait until ${at(d.coolDownUntil)}`;
    case 'suppression.released':
      return `released: ${d.reason}`;
    case 'opted-out':
      return `OPTED OUT (${d.source}): ${d.reason}`;
    case 'action.taken':
      return `action: ${d.eventType}`;
    case 'action.timeout':
      return `no action within ${d.timeout}`;
    case 'reward.held':
      return `reward held: ${d.role} ${d.kind}${amountOf(d)} for ${d.referralId}, ${d.forConversion ? 'until the deal closes, at most ' : ''}until ${at(d.until)}`;
    case 'reward.issued':
      return `REWARDED ${d.role}: ${d.kind}${d.amount !== undefined ? ` ${d.amount}` : ''} (${d.provider})`;
    case 'reward.failed':
      return `reward failed: ${d.role} ${d.kind} (${d.reason})`;
    case 'reward.refused':
      return `reward refused: ${d.reason}`;
    case 'reward.reversed':
      return `reward reversed for ${d.referralId}${amountOf(d)}`;
    case 'reward.forfeited':
      return `reward forfeited for ${d.referralId}: ${d.reason}`;
    case 'thanks.sent':
      return `THANK-YOU sent${mail(d.sendKey)}, template ${d.template}`;
    case 'thanks.failed':
      return `thank-you for ${d.referralId} not sent: ${d.reason}`;
    case 'thanks.withheld':
      return `thank-you for ${d.referralId} withheld: ${d.reason}`;
    case 'promoted':
      return `promoted to ${d.motion} (${d.reason})`;
    case 'cycle.completed':
      return `cycle ${d.cycle} completed`;
    case 'journey.ended':
      return `journey ended: ${d.reason}`;
    case 'referrer_update.sent':
      return `REFERRER UPDATE ${d.stage} for ${d.referralId} sent${mail(d.sendKey)}, template ${d.template}`;
    case 'referrer_update.moved':
      return `referrer update ${d.stage} for ${d.referralId} moved to ${at(d.to)}: ${d.reason}`;
    case 'referrer_update.cancelled':
      return `referrer update ${d.stage} for ${d.referralId} not sent: ${d.reason}`;
    case 'prompt.posted':
      return `PROMPT ${d.promptId} up in the product until ${at(d.expiresAt)}`;
    case 'prompt.withdrawn':
      return `prompt ${d.promptId} withdrawn: ${d.reason}`;
    case 'prompt.shown':
    case 'prompt.clicked':
    case 'prompt.dismissed':
      return `${rec.type} ${d.promptId}${d.current === false ? ' (no longer current)' : ''}`;
    default:
      if (rec.type.startsWith('referral.')) return `${rec.type} ${d.referralId ?? ''}${d.revenue ? ` revenue ${d.revenue}` : ''}`;
      return `${rec.type} ${JSON.stringify(d)}`;
  }
}

export function renderSimulation(r: SimulationResult): string {
  const lines = [`customer zone: ${r.zone}; day 0 = ${instantText(r.startMs, r.zone)}`];
  const bySendKey = new Map<string, Sent>(r.sent.map((m) => [m.sendKey, m]));
  const at = (iso: unknown) => (typeof iso === 'string' ? formatLocal(Date.parse(iso), r.zone) : '—');
  const mail = (sendKey: unknown) => {
    const m = bySendKey.get(String(sendKey));
    return m ? ` to ${m.to}${m.subject ? `: "${m.subject}"` : ''}` : '';
  };
  for (const rec of r.records) {
    const t = Date.parse(rec.at);
    const day = ((t - r.startMs) / 86_400_000).toFixed(1).padStart(6);
    lines.push(`day ${day}  ${formatLocal(t, r.zone)}  ${readableReason(lineOf(rec, at, mail), r.zone)}`);
  }
  const s = r.finalState;
  lines.push(`emails delivered to the outbox: ${r.sent.length}${r.sent.map((m) => `\n  ${m.sendKey} → ${m.to}`).join('')}`);
  if ('history' in s) {
    lines.push(`history: ${JSON.stringify(s.history)}`);
    if (s.suppressed) lines.push(`now suppressed: ${s.suppressed.reason}${s.suppressed.until ? ` until ${at(s.suppressed.until)}` : ''}`);
    if (s.nextAction) lines.push(`now: ${s.stage}, ${s.nextAction.what}`);
  } else lines.push(`the run closed: ${s.ended}`);
  if (r.outDir) lines.push(`outbox and tracking log kept in ${r.outDir}`);
  return lines.join('\n');
}
