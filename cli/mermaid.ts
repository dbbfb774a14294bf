// A compiled plan drawn as a Mermaid flowchart that reads like the playbook: Listen → Qualify → each motion's
// Invite → Activate → Reward → Track → Expand → back to Listen, with the suppression rules that cut in anywhere.
import type { CompiledPlan } from '../definitions/plan.ts';
import type { MotionPlan, PostmarkTemplate, LocalTemplate } from '../definitions/generated/journey.ts';
import { durationMs } from '../definitions/duration.ts';

export function journeyMermaid(plan: CompiledPlan): string {
  const def = plan.definition;
  const lines: string[] = ['flowchart TD'];
  const add = (line: string) => lines.push(`  ${line}`);
  const motionId = (m: string) => m.replace(/-/g, '_');

  const signals = def.listen.signals.map((s) => `${s.id}: ${s.event}${s.when === undefined ? '' : ` when ${conditionText(s.when)}`}`);
  const reentry = def.listen.reentry?.allowed
    ? `re-entry every ${human(def.listen.reentry.minInterval ?? 'PT0S')}${def.listen.reentry.maxCycles ? `, at most ${def.listen.reentry.maxCycles} cycles` : ''}`
    : 'one cycle only';
  add(`listen(["<b>Listen</b><br/>${signals.map(esc).join('<br/>')}<br/><i>${esc(reentry)}</i>"])`);
  add('qualify{"<b>Qualify</b>"}');
  add('listen --> qualify');
  def.qualify.rules.forEach((rule) => {
    const label = esc(`${rule.id}: ${conditionText(rule.when)}`);
    add(`qualify -->|"${label}"| ${rule.motion === 'disqualify' ? 'disqualified' : `${motionId(rule.motion)}_invite`}`);
  });
  add(`qualify -->|"otherwise"| ${def.qualify.otherwise === 'disqualify' ? 'disqualified' : `${motionId(def.qualify.otherwise)}_invite`}`);
  if ([...def.qualify.rules.map((r) => r.motion), def.qualify.otherwise].includes('disqualify')) {
    add('disqualified(["Disqualified: no ask"])');
    add('disqualified -.->|"back to Listen"| listen');
  }

  for (const [motion, motionPlan] of Object.entries(def.motions) as [string, MotionPlan][]) {
    const id = motionId(motion);
    const { invite, activate, reward } = motionPlan;
    const reminders = invite.reminders ?? [];
    const window = invite.sendWindow;
    add(`subgraph ${id}_motion ["Motion: ${motion}"]`);
    add(
      `  ${id}_invite["<b>Invite</b> · ${esc(invite.channel)}: ${esc(templateName(invite.template))}<br/>first ask after ${human(invite.firstAskDelay)}<br/>${reminders.length} reminder${reminders.length === 1 ? '' : 's'}${reminders.length ? ` (${reminders.map((r) => `+${human(r.after)}`).join(', ')})` : ''}, at most ${invite.maxAttempts} asks<br/>window ${esc(window.days.join(' '))} ${window.start}–${window.end} (${esc(window.defaultTimezone ?? 'UTC')} default)${invite.ownerTask ? `<br/>owner task: answer within ${human(invite.ownerTask.answerWithin)}, in the owner's hours and zone` : ''}${(invite.variants ?? []).map((v) => `<br/>variant ${esc(v.id)}: ${esc(conditionText(v.when))}`).join('')}"]`,
    );
    add(
      `  ${id}_activate{{"<b>Activate</b><br/>wait for ${esc(activate.actions.map((a) => a.event).join(' or '))}<br/>up to ${human(activate.timeout)}"}}`,
    );
    add(`  ${id}_invite --> ${id}_activate`);
    if (reward) {
      add(`  ${id}_reward["<b>Reward</b> · ${rewardText(reward).map(esc).join('<br/>')}"]`);
      add(`  ${id}_activate -->|"acted"| ${id}_reward`);
    }
    add('end');
    add(`${id}_activate -->|"timeout → ${activate.onTimeout}"| ${activate.onTimeout === 'exit' ? 'exit' : 'listen'}`);
    // An owner task's answer: declined or none in time goes where the plan says (the cycle's end, the end of the run, a fallback).
    const task = invite.ownerTask;
    if (task) {
      const to = (o: typeof task.onDeclined) =>
        o.then === 'exit' ? 'exit' : o.then === 'motion' && o.motion ? `${motionId(o.motion)}_invite` : 'listen';
      add(
        `${id}_invite -->|"owner declined → ${task.onDeclined.then === 'motion' ? task.onDeclined.motion : task.onDeclined.then}"| ${to(task.onDeclined)}`,
      );
      add(
        `${id}_invite -->|"no owner answer in ${human(task.answerWithin)} → ${task.onNoAnswer.then === 'motion' ? task.onNoAnswer.motion : task.onNoAnswer.then}"| ${to(task.onNoAnswer)}`,
      );
    }
    add(`${reward ? `${id}_reward` : `${id}_activate`} --> track`);
  }
  const exits = (m: MotionPlan) =>
    m.activate.onTimeout === 'exit' || m.invite.ownerTask?.onDeclined.then === 'exit' || m.invite.ownerTask?.onNoAnswer.then === 'exit';
  if (Object.values(def.motions).some((m) => exits(m as MotionPlan))) add('exit(("end of run"))');

  const conversions = def.track.conversions.map((c) => `${c.stage}: ${c.event}${c.revenueField ? ` (revenue: ${c.revenueField})` : ''}`);
  add(
    `track[/"<b>Track</b><br/>${conversions.length ? conversions.map(esc).join('<br/>') : 'no conversion events'}<br/>attribution window ${human(def.track.attributionWindow)}"/]`,
  );
  add('track --> expand{"<b>Expand</b>"}');
  (def.expand?.promotions ?? []).forEach((p) =>
    add(`expand -->|"${esc(`${p.id}: ${conditionText(p.when)}`)}"| ${motionId(p.motion)}_invite`),
  );
  add(`expand -->|"otherwise${def.expand?.returnToListenAfter ? `, rest ${human(def.expand.returnToListenAfter)}` : ''}"| listen`);

  add('subgraph suppression ["Suppression: at every stage, cancels pending asks at once"]');
  def.suppression.signals.forEach((s) => {
    const effect = s.effect === 'hold' ? `hold ${human(s.coolDown ?? def.suppression.defaultCoolDown ?? 'P30D')}` : s.effect;
    add(
      `  s_${s.id.replace(/-/g, '_')}["${esc(`${s.id}: ${s.event}${s.when === undefined ? '' : ` when ${conditionText(s.when)}`} → ${effect}`)}"]`,
    );
  });
  (def.suppression.whileOpen ?? []).forEach((r) => {
    add(
      `  w_${r.id.replace(/-/g, '_')}["${esc(`not while open: ${r.openedBy} … ${r.resolvedBy}${r.matchOn ? ` (by ${r.matchOn})` : ''}, then ${human(r.coolDown ?? def.suppression.defaultCoolDown ?? 'P30D')}`)}"]`,
    );
  });
  add('end');
  add('suppression -.->|"hold: cool-down, then"| listen');
  if (def.contactPolicy) {
    const q = def.contactPolicy.quietHours;
    add(
      `policy>"Contact policy: at most ${def.contactPolicy.maxAsks} asks per ${human(def.contactPolicy.period)}${q ? `; quiet ${q.start}–${q.end}` : ''}"]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function templateName(t: PostmarkTemplate | LocalTemplate): string {
  return 'alias' in t ? `Postmark ${t.alias}` : t.file;
}

function rewardText(reward: NonNullable<MotionPlan['reward']>): string[] {
  const item = (i: { kind: string; amount?: number; currency?: string; description?: string }) =>
    i.description ?? `${i.kind}${i.amount !== undefined ? ` ${i.amount} ${i.currency ?? ''}` : ''}`;
  const parts = [`${reward.type}: advocate ${item(reward.referrer)}`];
  if (reward.referred) parts.push(`friend ${item(reward.referred)}`);
  for (const t of reward.tiers ?? []) parts.push(`${t.tier} at ${t.threshold}: ${item(t.bonus)}`);
  parts.push(
    reward.release.on === 'action'
      ? 'released at once'
      : reward.release.on === 'conversion'
        ? `released on closed-won${reward.release.hold ? ` (at most ${human(reward.release.hold)})` : ''}`
        : `released after ${human(reward.release.hold ?? 'PT0S')}`,
  );
  return parts;
}

/** A json-logic condition in words a marketer reads: `event.score ≥ 9`, `traits.segment in strategic, enterprise`. */
export function conditionText(logic: unknown): string {
  if (typeof logic === 'string') return logic;
  if (typeof logic !== 'object' || logic === null) return JSON.stringify(logic);
  if (Array.isArray(logic)) return logic.map(conditionText).join(', ');
  const [op, raw] = Object.entries(logic)[0] ?? ['', []];
  const args = Array.isArray(raw) ? raw : [raw];
  const symbols: Record<string, string> = {
    '==': '=',
    '===': '=',
    '!=': '≠',
    '!==': '≠',
    '>=': '≥',
    '<=': '≤',
    '>': 'above',
    '<': 'below',
  };
  if (op === 'var') return String(args[0]);
  if (symbols[op] && args.length === 2) return `${conditionText(args[0])} ${symbols[op]} ${conditionText(args[1])}`;
  if (op === 'in') return `${conditionText(args[0])} in ${conditionText(args[1])}`;
  if (op === 'and' || op === 'or') return args.map((a) => `(${conditionText(a)})`).join(` ${op} `);
  if (op === '!') return `not (${conditionText(args[0])})`;
  return `${op}(${args.map(conditionText).join(', ')})`;
}

function human(duration: string): string {
  const ms = durationMs(duration);
  const d = ms / 86_400_000;
  if (Number.isInteger(d) && d > 0) return `${d} day${d === 1 ? '' : 's'}`;
  const h = ms / 3_600_000;
  if (Number.isInteger(h)) return `${h} hour${h === 1 ? '' : 's'}`;
  return `${Math.round(ms / 60_000)} minutes`;
}

/** Mermaid labels are quoted and may hold HTML: keep quotes and angle brackets from breaking them. */
function esc(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
