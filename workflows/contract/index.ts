// The contract between workflows, activities, the API, the CLI, bench and tests: workflow ids and type names, every
// signal, query and update with its types, the search-attribute keys, the activities' request/result/failure types
// and interface, and the one builder of the customer workflow's start options. Deterministic and side-effect free.
export * from './ids.ts';
export * from './journey-messages.ts';
export * from './customer-messages.ts';
export * from './search-attributes.ts';
export * from './email-activity.ts';
export * from './effect-activities.ts';
export * from './crm-activity.ts';
export * from './customer-start.ts';
export * from './unreadable-payload.ts';
export * from './operator-action.ts';
export type * from './activity-interface.ts';
