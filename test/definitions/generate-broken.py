# Regenerates test/definitions/broken/ (one mistake per file, mutating the shipped NPS referral journey) and
# expected.json (the diagnostic each must produce). Run from anywhere: python3 test/definitions/generate-broken.py
import json, copy, os
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
base = json.load(open(os.path.join(ROOT, 'definitions/journeys/nps-promoter-referral.json')))
base['$schema'] = '../../../definitions/schema/journey.schema.json'
out = os.path.join(HERE, 'broken')
cases = {}
def case(name, mutate, pointer, code, message, **exact):
    # exact: the whole message, and where: file (when not the journey), line, column, usedAt (the journey's place
    # that uses a template), suggestion, severity ('warning' compiles, with the warning).
    d = copy.deepcopy(base)
    mutate(d)
    open(f'{out}/{name}.json', 'w').write(json.dumps(d, indent=2, ensure_ascii=False) + '\n')
    cases[name] = {'pointer': pointer, 'code': code, 'message': message, **exact}
def raw(name, text, pointer, code, message, **exact):
    open(f'{out}/{name}.json', 'w').write(text)
    cases[name] = {'pointer': pointer, 'code': code, 'message': message, **exact}

R = lambda d: d['motions']['referral']
def setp(path, value):
    def f(d):
        node = d
        for k in path[:-1]: node = node[k]
        node[path[-1]] = value
    return f
def delp(path):
    def f(d):
        node = d
        for k in path[:-1]: node = node[k]
        del node[path[-1]]
    return f
def rename(path, new):
    def f(d):
        node = d
        for k in path[:-1]: node = node[k]
        node[new] = node.pop(path[-1])
    return f

# --- parse
text = json.dumps(base, indent=2)
raw('syntax-trailing-comma', text.replace('"version": 1,', '"version": 1,,'), '', 'parse.syntax', 'not valid JSON')
raw('syntax-comment', text.replace('"version": 1,', '"version": 1, // bump me'), '', 'parse.syntax', 'comments are not allowed')
raw('syntax-empty', '', '', 'parse.syntax', 'empty')
raw('duplicate-key', text.replace('"version": 1,', '"version": 1,\n  "version": 2,'), '/version', 'parse.duplicateKey', 'appears twice')
# --- schema
case('unknown-top-key', lambda d: d.update({'lisen': {}}), '/lisen', 'schema.additionalProperties', 'unknown key `lisen`')
case('typo-first-ask-delay', rename(['motions','referral','invite','firstAskDelay'], 'firstAskDelai'), '/motions/referral/invite/firstAskDelai', 'schema.additionalProperties', 'did you mean `firstAskDelay`')
case('missing-owner', delp(['owner']), '', 'schema.required', 'missing required key `owner`')
case('missing-track', delp(['track']), '', 'schema.required', 'missing required key `track`')
case('missing-activate-timeout', delp(['motions','referral','activate','timeout']), '/motions/referral/activate', 'schema.required', 'missing required key `timeout`')
case('bad-status', setp(['status'], 'live'), '/status', 'schema.enum', '`live` is not allowed')
case('bad-schema-version', setp(['schemaVersion'], '2'), '/schemaVersion', 'schema.const', 'must be "1"')
case('version-zero', setp(['version'], 0), '/version', 'schema.minimum', 'is 0')
case('version-string', setp(['version'], '1'), '/version', 'schema.type', 'should be a whole number')
case('bad-id', setp(['id'], 'NPS Promoter'), '/id', 'schema.pattern', 'not a valid')
case('duration-words', setp(['motions','referral','invite','firstAskDelay'], '2 days'), '/motions/referral/invite/firstAskDelay', 'schema.duration', 'not an ISO 8601 duration')
case('duration-months', setp(['track','attributionWindow'], 'P6M'), '/track/attributionWindow', 'schema.duration', '`P6M` counts months, which vary in length')
case('qualify-rule-always-true', lambda d: d['qualify']['rules'][0].update({'when': True}), '/qualify/rules/1', 'qualify.ruleUnreachable', 'can never be chosen')
case('qualify-rule-never-true', lambda d: d['qualify']['rules'][1].update({'when': {'==': [1, 2]}}), '/qualify/rules/1/when', 'condition.neverHolds', 'can never hold')
case('duration-lowercase', setp(['track','attributionWindow'], 'p180d'), '/track/attributionWindow', 'schema.duration', 'not an ISO 8601 duration')
case('bad-local-time', setp(['motions','referral','invite','sendWindow','start'], '9am'), '/motions/referral/invite/sendWindow/start', 'schema.pattern', '`9am`')
case('bad-weekday', setp(['motions','referral','invite','sendWindow','days'], ['mon','tues']), '/motions/referral/invite/sendWindow/days/1', 'schema.enum', '`tues` is not allowed')
case('duplicate-weekday', setp(['motions','referral','invite','sendWindow','days'], ['mon','mon']), '/motions/referral/invite/sendWindow/days', 'schema.uniqueItems', 'same value twice')
case('max-attempts-zero', setp(['motions','referral','invite','maxAttempts'], 0), '/motions/referral/invite/maxAttempts', 'schema.minimum', 'maxAttempts')
case('unknown-motion-key', rename(['motions','case-study'], 'case-studdy'), '/motions/case-studdy', 'schema.propertyNames', 'unknown motion `case-studdy`')
case('bad-reward-kind', setp(['motions','referral','reward','referrer','kind'], 'cash'), '/motions/referral/reward/referrer/kind', 'schema.enum', '`cash` is not allowed')
case('bad-currency', setp(['motions','referral','reward','referrer','currency'], 'usd'), '/motions/referral/reward/referrer/currency', 'schema.pattern', '`usd`')
case('negative-amount', setp(['motions','referral','reward','referrer','amount'], -5), '/motions/referral/reward/referrer/amount', 'schema.minimum', 'is -5')
case('template-both-forms', lambda d: R(d)['invite']['template'].update({'alias': 'referral-invite'}), '/motions/referral/invite/template/alias', 'schema.additionalProperties', 'unknown key `alias`')
case('template-bad-path', setp(['motions','referral','invite','template','file'], 'referral-invite.html'), '/motions/referral/invite/template/file', 'schema.pattern', 'referral-invite.html')
case('no-listen-signals', setp(['listen','signals'], []), '/listen/signals', 'schema.minItems', 'at least 1')
case('bad-suppression-effect', setp(['suppression','signals',0,'effect'], 'pause'), '/suppression/signals/0/effect', 'schema.enum', '`pause` is not allowed')
case('empty-motions', setp(['motions'], {}), '/motions', 'schema.minProperties', 'at least 1')
case('condition-is-string', setp(['listen','signals',0,'when'], 'score >= 9'), '/listen/signals/0/when', 'schema.type', 'should be an object or true or false')
# --- catalog
case('unknown-listen-event', setp(['listen','signals',0,'event'], 'nps.submited'), '/listen/signals/0/event', 'catalog.unknownEvent', 'did you mean `nps.submitted`')
case('unknown-suppression-event', setp(['suppression','signals',1,'event'], 'payment.declined'), '/suppression/signals/1/event', 'catalog.unknownEvent', 'unknown event type `payment.declined`')
case('unknown-action-event', setp(['motions','referral','activate','actions',0,'event'], 'referral.sent'), '/motions/referral/activate/actions/0/event', 'catalog.unknownEvent', 'unknown event type `referral.sent`')
case('unknown-resolve-event', setp(['suppression','whileOpen',0,'resolvedBy'], 'escalation.closed'), '/suppression/whileOpen/0/resolvedBy', 'catalog.unknownEvent', 'did you mean `escalation.opened`')
case('unknown-conversion-event', setp(['track','conversions',2,'event'], 'deal.won'), '/track/conversions/2/event', 'catalog.unknownEvent', 'unknown event type `deal.won`')
case('bad-match-on', setp(['suppression','whileOpen',0,'matchOn'], 'ticketId'), '/suppression/whileOpen/0/matchOn', 'catalog.unknownField', '`ticketId` is not a field of `escalation.opened`')
case('bad-revenue-field', setp(['track','conversions',2,'revenueField'], 'revenue'), '/track/conversions/2/revenueField', 'catalog.unknownField', 'no numeric field `revenue`')
# --- json-logic
case('unknown-event-field', setp(['listen','signals',0,'when'], {'>=': [{'var': 'event.nps'}, 9]}), '/listen/signals/0/when/>=/0/var', 'logic.unknownVar', 'has no field `nps`')
case('unknown-trait', setp(['qualify','rules',0,'when'], {'==': [{'var': 'traits.churnrisk'}, 'high']}), '/qualify/rules/0/when/==/0/var', 'logic.unknownVar', 'did you mean `traits.churnRisk`')
case('unknown-history-field', setp(['expand','promotions',0,'when'], {'>=': [{'var': 'history.referals'}, 3]}), '/expand/promotions/0/when/>=/0/var', 'logic.unknownVar', 'did you mean `history.referrals`')
case('unknown-var-root', setp(['qualify','rules',1,'when'], {'<': [{'var': 'customer.healthScore'}, 60]}), '/qualify/rules/1/when/</0/var', 'logic.unknownVar', '`customer.healthScore` is not a variable')
case('unknown-operator', setp(['listen','signals',0,'when'], {'gte': [{'var': 'event.score'}, 9]}), '/listen/signals/0/when/gte', 'logic.unknownOperator', 'unknown json-logic operator `gte`')
case('two-operators', setp(['listen','signals',0,'when'], {'>=': [{'var': 'event.score'}, 9], '<=': [{'var': 'event.score'}, 10]}), '/listen/signals/0/when', 'logic.shape', 'exactly one operator')
case('event-in-expand', setp(['expand','promotions',0,'when'], {'>=': [{'var': 'event.score'}, 9]}), '/expand/promotions/0/when/>=/0/var', 'logic.noEvent', 'no event here')
case('suppression-wrong-event-field', setp(['suppression','signals',0,'when'], {'<=': [{'var': 'event.rating'}, 6]}), '/suppression/signals/0/when/<=/0/var', 'logic.unknownVar', 'the event `nps.submitted` has no field `rating`')
# --- motions
case('qualify-picks-undefined-motion', setp(['qualify','otherwise'], 'review'), '/qualify/otherwise', 'motion.undefined', '`motions` does not define it')
case('expand-picks-undefined-motion', setp(['expand','promotions',0,'motion'], 'advisory-board'), '/expand/promotions/0/motion', 'motion.undefined', 'picks the motion `advisory-board`')
case('unreachable-motion', delp(['expand']), '/motions/case-study', 'motion.unreachable', 'can never run')
case('too-many-reminders', setp(['motions','referral','invite','maxAttempts'], 2), '/motions/referral/invite/reminders', 'invite.tooManyReminders', 'more than maxAttempts (2)')
case('reminders-exceed-timeout', setp(['motions','referral','activate','timeout'], 'P10D'), '/motions/referral/activate/timeout', 'invite.remindersExceedTimeout', 'the last reminder would never be sent')
case('timeout-zero', lambda d: (R(d)['activate'].update({'timeout': 'PT0S'}), R(d)['invite'].update({'reminders': []})), '/motions/referral/activate/timeout', 'duration.zero', 'timeout is zero')
case('first-ask-past-deadline', setp(['motions','referral','invite','firstAskDelay'], 'P21D'), '/motions/referral/invite/firstAskDelay', 'schedule.firstAskPastDeadline', "the first ask of motion `referral` waits 21 days after the delight, yet Activate gives the customer only 21 days (`activate.timeout`, P21D) to act: the ask could come no earlier than that deadline", line=139, column=26, suggestion='shorten `firstAskDelay` or lengthen `motions.referral.activate.timeout` (were the two swapped?)')
# --- windows and time
case('window-ends-before-start', setp(['motions','referral','invite','sendWindow','end'], '08:00'), '/motions/referral/invite/sendWindow/end', 'window.empty', 'closes (08:00) before it opens (09:00)')
case('window-zero-length', setp(['motions','referral','invite','sendWindow','end'], '09:00'), '/motions/referral/invite/sendWindow/end', 'window.empty', 'closes (09:00) when it opens')
case('bad-timezone', setp(['motions','referral','invite','sendWindow','defaultTimezone'], 'America/New_Yrok'), '/motions/referral/invite/sendWindow/defaultTimezone', 'window.badTimezone', 'did you mean `America/New_York`')
case('quiet-hours-empty', setp(['contactPolicy','quietHours'], {'start': '20:00', 'end': '20:00'}), '/contactPolicy/quietHours', 'window.empty', 'start and end at the same time')
case('hold-without-cool-down', lambda d: (d['suppression']['signals'][1].pop('coolDown'), d['suppression'].pop('defaultCoolDown')), '/suppression/signals/1', 'suppression.noCoolDown', 'holds the customer but says for how long nowhere')
case('duplicate-rule-id', setp(['qualify','rules',1,'id'], 'high-churn-risk'), '/qualify/rules/1/id', 'ids.duplicate', 'two qualify rules are called `high-churn-risk`')
# --- templates
case('missing-template', setp(['motions','referral','invite','template','file'], 'templates/referal-invite.mustache'), '/motions/referral/invite/template/file', 'template.missing', 'did you mean `templates/referral-invite.mustache`')
case('bad-subject-mustache', setp(['motions','referral','invite','template','subject'], 'Hi {{traits.firstName}'), '/motions/referral/invite/template/subject', 'template.syntax', 'does not parse')
# --- rewards
case('tiers-not-ascending', setp(['motions','referral','reward','tiers',1,'threshold'], 3), '/motions/referral/reward/tiers/1/threshold', 'reward.tiersNotAscending', 'not above the previous tier `silver` (3)')
case('tiered-without-tiers', delp(['motions','referral','reward','tiers']), '/motions/referral/reward', 'reward.tiersMissing', 'needs `tiers`')
case('two-sided-without-referred', lambda d: (R(d)['reward'].update({'type': 'two-sided'}), R(d)['reward'].pop('referred'), R(d)['reward'].pop('tiers')), '/motions/referral/reward', 'reward.referredMissing', 'needs `referred`')
case('amount-without-currency', lambda d: R(d)['reward']['referred'].pop('currency'), '/motions/referral/reward/referred', 'reward.currencyMissing', 'needs a currency')
case('hold-release-without-period', setp(['motions','referral','reward','release'], {'on': 'hold'}), '/motions/referral/reward/release', 'reward.holdMissing', 'needs the hold period')
case('release-on-conversion-without-closed-won', lambda d: d['track'].update({'conversions': [c for c in d['track']['conversions'] if c['stage'] != 'closed-won']}), '/motions/referral/reward/release/on', 'reward.noConversion', 'no closed-won conversion')
case('tiers-on-one-sided', lambda d: (R(d)['reward'].update({'type': 'one-sided'}), R(d)['reward'].pop('referred')), '/motions/referral/reward/tiers', 'reward.tiersUnused', 'only paid by a `tiered` reward')

# --- template variables (templates under test/definitions/templates/), per step, motion and variant
T = lambda file, subject='Hi', model=None: {'file': file, 'subject': subject, **({'model': model} if model else {})}
INV = ['motions','referral','invite','template']
case('template-unknown-trait', setp(INV, T('templates/broken-unknown-trait.mustache', model={'productName': 'Acme'})), '/motions/referral/invite/template/file', 'template.unknownVariable',
     '`{{traits.compnay}}` is not in the message model of the ask message of motion `referral`: `traits` has no `compnay`',
     file='test/definitions/templates/broken-unknown-trait.mustache', line=2, column=15, usedAt=[131, 19], suggestion='did you mean `{{traits.company}}`?')
case('template-thank-you-var-in-ask', setp(INV, T('templates/broken-reward-in-ask.mustache')), '/motions/referral/invite/template/file', 'template.unknownVariable',
     '`{{reward.description}}` is not in the message model of the ask message of motion `referral`',
     file='test/definitions/templates/broken-reward-in-ask.mustache', line=2, column=23, usedAt=[131, 19])
case('template-thank-you-typo', setp(['motions','referral','reward','thankYou'], T('templates/broken-thank-you-typo.mustache', 'Thank you')), '/motions/referral/reward/thankYou/file', 'template.unknownVariable',
     '`{{reward.descripton}}` is not in the message model of the thank-you message of motion `referral`: `reward` has no `descripton`',
     file='test/definitions/templates/broken-thank-you-typo.mustache', line=1, column=15, usedAt=[266, 19], suggestion='did you mean `{{reward.description}}`?')
case('template-owner-task-typo', setp(['motions','case-study','invite','template'], T('templates/broken-owner-task.mustache', 'Call them')), '/motions/case-study/invite/template/file', 'template.unknownVariable',
     '`{{task.customer}}` is not in the message model of the owner-task message of motion `case-study`: `task` has no `customer`',
     file='test/definitions/templates/broken-owner-task.mustache', line=1, column=16, usedAt=[275, 19], suggestion='did you mean `{{task.customerId}}`?')
case('template-reminder-typo', setp(['motions','referral','invite','reminders',0,'template'], T('templates/broken-reminder.mustache', 'Reminder')), '/motions/referral/invite/reminders/0/template/file', 'template.unknownVariable',
     '`{{attempts}}` is not in the message model of the reminder message of motion `referral`',
     file='test/definitions/templates/broken-reminder.mustache', line=1, column=14, usedAt=[144, 23], suggestion='did you mean `{{attempt}}`?')
case('template-variant-typo', setp(['motions','referral','invite','variants',0,'template'], T('templates/broken-variant.mustache', 'Hello', {'productName': 'Acme'})), '/motions/referral/invite/variants/0/template/file', 'template.unknownVariable',
     '`{{model.productNam}}` is not in the message model of the ask message of motion `referral` (variant `enterprise`): `model` has no `productNam`',
     file='test/definitions/templates/broken-variant.mustache', line=1, column=15, usedAt=[183, 23], suggestion='did you mean `{{model.productName}}`?')
case('template-subject-typo', setp(INV + ['subject'], "Know a team who'd love Acme, {{traits.firstname}}?"), '/motions/referral/invite/template/subject', 'template.unknownVariable',
     '`{{traits.firstname}}` is not in the message model of the ask message of motion `referral`: `traits` has no `firstname`',
     line=132, column=52, suggestion='did you mean `{{traits.firstName}}`?')
case('template-event-field-of-other-event', setp(INV + ['subject'], 'Congratulations on your {{event.milestone}}'), '/motions/referral/invite/template/subject', 'template.unknownVariable',
     '`{{event.milestone}}` is not in the message model of the ask message of motion `referral`: `event` has no `milestone`',
     line=132, column=47)
case('template-link-without-activate-link', setp(['motions','case-study','invite','template'], T('templates/broken-owner-link.mustache', 'Ask them')), '/motions/case-study/invite/template/file', 'template.alwaysEmpty',
     '`{{actionLink}}` in the owner-task message of motion `case-study`: the motion `case-study` has no `activate.link`, so `actionLink` is always empty',
     file='test/definitions/templates/broken-owner-link.mustache', line=1, column=26, usedAt=[275, 19])
case('template-partial', setp(INV, T('templates/broken-partial.mustache')), '/motions/referral/invite/template/file', 'template.partial',
     'partials ({{> footer}}) are not supported: the ask message of motion `referral` would render nothing there',
     file='test/definitions/templates/broken-partial.mustache', line=2, column=1, usedAt=[131, 19])
case('template-unguarded-trait', setp(INV, T('templates/unguarded-company.mustache')), '/motions/referral/invite/template/file', 'template.mayBeEmpty',
     '`{{traits.company}}` in the ask message of motion `referral` may be blank: a customer without `traits.company` sees a blank there, and `traitDefaults` gives it no default',
     file='test/definitions/templates/unguarded-company.mustache', line=1, column=7, usedAt=[131, 19], severity='warning',
     suggestion='wrap it in {{#traits.company}}…{{/traits.company}}, or give it a default: "traitDefaults": {"company": "…"}')
# --- schedules that can never send
case('quiet-hours-cover-window', setp(['contactPolicy','quietHours'], {'start': '08:00', 'end': '18:00'}), '/contactPolicy/quietHours', 'schedule.neverSends',
     'quiet hours (08:00-18:00) cover the whole send window of motions `referral` (09:00-17:00) and `case-study` (10:00-16:00): no ask of them could ever be sent',
     line=362, column=19, suggestion='shorten the quiet hours, or move the send windows out of them')
case('window-no-weekday', setp(['motions','referral','invite','sendWindow','days'], []), '/motions/referral/invite/sendWindow/days', 'schedule.neverSends',
     'the send window opens on no day of the week: no ask could ever be sent', line=157, column=19)
# --- one error per mistake, and words that say it plainly
raw('syntax-truncated', text[:1510], '', 'parse.syntax', 'the file is not valid JSON: it ends early, with 4 brackets left open (was it cut off?)', line=58, column=8)
case('qualify-unknown-event-field', setp(['qualify','rules',0,'when'], {'==': [{'var': 'event.milestone'}, 'go-live']}), '/qualify/rules/0/when/==/0/var', 'logic.unknownVar',
     '`event.milestone`: the delight event `nps.submitted` has no field `milestone`', line=102, column=22)
case('duration-negative', setp(['motions','referral','invite','firstAskDelay'], '-P2D'), '/motions/referral/invite/firstAskDelay', 'schema.duration',
     '`-P2D` is negative: `firstAskDelay` counts forward in time', line=139, column=26, suggestion='did you mean `P2D`?')
case('event-data-path-in-journey', setp(['listen','signals',0,'when'], {'>=': [{'var': 'event.data.score'}, 9]}), '/listen/signals/0/when/>=/0/var', 'logic.eventPathForm',
     "`event.data.score`: in a journey, `event.` already is the event's data, so `data.` is one level too many", line=19, column=22,
     suggestion="write `event.score` (the `event.data.<field>` form is the contact policy's and the advocate score's)")
case('listen-event-typo-once', setp(['listen','signals',0,'event'], 'nps.submited'), '/listen/signals/0/event', 'catalog.unknownEvent', 'unknown event type `nps.submited`',
     line=15, column=18, suggestion='did you mean `nps.submitted`?')

# --- experiments: a valid one added to the journey, then one mistake in it
EXP = {'id': 'invite-wording', 'motion': 'referral', 'start': '2027-01-04', 'end': '2027-03-29', 'holdout': 0.1,
       'primaryMetric': 'customer-referral-rate', 'defaultArm': 'current',
       'arms': [{'id': 'current', 'weight': 0.45}, {'id': 'warm', 'weight': 0.45, 'invite': {'firstAskDelay': 'P1D'}}]}
def exp(change):
    def f(d):
        d['experiment'] = copy.deepcopy(EXP)
        change(d['experiment'])
    return f
def arm1(**kw):
    return lambda x: x['arms'][1].update(kw)
case('experiment-shares-not-one', exp(lambda x: x['arms'][0].update({'weight': 0.5})), '/experiment/arms', 'experiment.shares',
     "the arms' weights (0.5 + 0.45) and the holdout (0.1) add up to 1.05, not 1")
case('experiment-unknown-metric', exp(lambda x: x.update({'primaryMetric': 'customer-referal-rate'})), '/experiment/primaryMetric', 'experiment.unknownMetric',
     'did you mean `customer-referral-rate`?')
case('experiment-metric-asked-only', exp(lambda x: x.update({'primaryMetric': 'referral-invitation-rate'})), '/experiment/primaryMetric', 'experiment.metricUnusable',
     'control is never asked')
case('experiment-unknown-variant', exp(arm1(invite={'variant': 'enterprize'})), '/experiment/arms/1/invite/variant', 'experiment.unknownVariant',
     'did you mean `enterprise`?')
case('experiment-override-typo', exp(arm1(invite={'firstAskDelai': 'P1D'})), '/experiment/arms/1/invite/firstAskDelai', 'schema.additionalProperties',
     'did you mean `firstAskDelay`')
case('experiment-unknown-motion', exp(arm1(motion='case-studies')), '/experiment/arms/1/motion', 'experiment.unknownMotion', 'did you mean `case-study`?')
case('experiment-winner-not-arm', exp(lambda x: x.update({'winner': 'warmer'})), '/experiment/winner', 'experiment.unknownArm', 'did you mean `warm`?')
case('experiment-ends-before-start', exp(lambda x: x.update({'end': '2026-12-01'})), '/experiment/end', 'experiment.dates', 'ends (2026-12-01) before it starts')
case('experiment-too-many-spacings', exp(arm1(invite={'reminderSpacing': ['P2D', 'P3D', 'P4D']})), '/experiment/arms/1/invite/reminderSpacing',
     'experiment.reminderSpacing', 'spaces 3 reminders, but motions.referral.invite has 2')
case('experiment-bad-date', exp(lambda x: x.update({'start': '4 January 2027'})), '/experiment/start', 'schema.pattern', '4 January 2027')

json.dump(cases, open(f'{out}/expected.json', 'w'), indent=2, ensure_ascii=False)
print(len(cases))
