// Checks against the event catalog: every event type named exists (with a "did you mean"), every condition reads
// fields that exist, pairing and revenue fields exist on their events.
import type { AdvocacyJourneyDefinition } from '../generated/journey.ts';
import type { Catalog } from './catalog.ts';
import { checkCondition, type LogicScope } from './logic-check.ts';
import type { Problem } from './problem.ts';
import { didYouMean } from './suggest.ts';

export function checkCatalog(def: AdvocacyJourneyDefinition, catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  const known = Object.keys(catalog.events);
  const eventType = (type: string, pointer: string) => {
    if (catalog.events[type]) return;
    problems.push({
      pointer,
      message: `unknown event type \`${type}\``,
      expected: 'an event type from definitions/catalog/events.json',
      suggestion: didYouMean(type, known),
      code: 'catalog.unknownEvent',
    });
  };
  const condition = (when: unknown, pointer: string, scope: LogicScope) => {
    if (when !== undefined) problems.push(...checkCondition(when, pointer, scope, catalog));
  };
  const listenEvents = [...new Set(def.listen.signals.map((s) => s.event))];
  const delight: LogicScope = {
    events: listenEvents,
    hasNoField: (field) =>
      listenEvents.length === 1
        ? `the delight event \`${listenEvents[0]}\` has no field \`${field}\``
        : `none of the delight events (${listenEvents.join(', ')}) has a field \`${field}\``,
  };
  const one = (type: string): LogicScope => ({ events: [type], hasNoField: (field) => `the event \`${type}\` has no field \`${field}\`` });

  def.listen.signals.forEach((s, i) => {
    eventType(s.event, `/listen/signals/${i}/event`);
    condition(s.when, `/listen/signals/${i}/when`, one(s.event));
  });
  def.suppression.signals.forEach((s, i) => {
    eventType(s.event, `/suppression/signals/${i}/event`);
    condition(s.when, `/suppression/signals/${i}/when`, one(s.event));
  });
  (def.suppression.whileOpen ?? []).forEach((rule, i) => {
    eventType(rule.openedBy, `/suppression/whileOpen/${i}/openedBy`);
    eventType(rule.resolvedBy, `/suppression/whileOpen/${i}/resolvedBy`);
    if (rule.matchOn) {
      const fieldsOf = (type: string) => Object.keys(catalog.events[type]?.data.properties ?? {});
      const types = [...new Set([rule.openedBy, rule.resolvedBy])].filter((type) => catalog.events[type]);
      const lacking = types.filter((type) => !fieldsOf(type).includes(rule.matchOn!));
      if (lacking.length > 0) {
        // Both events must carry it; one error names every event that does not.
        const shared = fieldsOf(types[0]).filter((f) => types.every((t) => fieldsOf(t).includes(f)));
        problems.push({
          pointer: `/suppression/whileOpen/${i}/matchOn`,
          message: `\`${rule.matchOn}\` is not a field of \`${lacking.join('` or `')}\`, so openings and resolves cannot be paired on it`,
          expected: `a field both events carry: one of ${shared.join(', ') || '(none)'}`,
          suggestion: didYouMean(rule.matchOn, shared),
          code: 'catalog.unknownField',
        });
      }
    }
  });
  def.qualify.rules.forEach((rule, i) => condition(rule.when, `/qualify/rules/${i}/when`, delight));
  for (const [motion, plan] of Object.entries(def.motions)) {
    const at = `/motions/${motion}`;
    (plan.invite.variants ?? []).forEach((v, i) => condition(v.when, `${at}/invite/variants/${i}/when`, delight));
    plan.activate.actions.forEach((action, i) => {
      eventType(action.event, `${at}/activate/actions/${i}/event`);
      condition(action.when, `${at}/activate/actions/${i}/when`, one(action.event));
    });
    (plan.reward?.reversal?.events ?? []).forEach((type, i) => eventType(type, `${at}/reward/reversal/events/${i}`));
  }
  def.track.conversions.forEach((c, i) => {
    eventType(c.event, `/track/conversions/${i}/event`);
    const schema = catalog.events[c.event]?.data;
    if (schema && c.revenueField) {
      const field = schema.properties?.[c.revenueField];
      const fields = Object.entries(schema.properties ?? {})
        .filter(([, s]) => s.type === 'number' || s.type === 'integer')
        .map(([k]) => k);
      if (!field || (field.type !== 'number' && field.type !== 'integer')) {
        problems.push({
          pointer: `/track/conversions/${i}/revenueField`,
          message: `\`${c.event}\` has no numeric field \`${c.revenueField}\` to record revenue from`,
          expected: fields.length ? `one of: ${fields.join(', ')}` : 'this event carries no numeric field',
          suggestion: didYouMean(c.revenueField, fields),
          code: 'catalog.unknownField',
        });
      }
    }
  });
  (def.expand?.promotions ?? []).forEach((p, i) => condition(p.when, `/expand/promotions/${i}/when`, { events: [], hasNoField: () => '' }));
  return problems;
}
