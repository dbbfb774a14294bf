// Generated from definitions/schema/crm.schema.json by scripts/generate-types.ts. Do not edit.

/**
 * A source field's path (e.g. task.subject), a constant ({"const": ...}), or a source field with a format or a value map ({"from": ..., "format": "date"} / {"from": ..., "map": {...}}).
 */
export type Value =
  | string
  | {
      /**
       * A constant value.
       */
      const: string | number | boolean;
    }
  | {
      /**
       * A source field.
       */
      from: string;
      /**
       * iso: as is; date: YYYY-MM-DD (Salesforce ActivityDate); epoch-ms: milliseconds since 1970 (HubSpot hs_timestamp).
       */
      format?: "iso" | "date" | "epoch-ms";
      /**
       * Source value → CRM value (e.g. referral stages to lead statuses).
       */
      map?: {
        [k: string]: string | number | boolean;
      };
      /**
       * The value when the map has no entry for the source value.
       */
      default?: string | number | boolean;
    };

/**
 * How owner tasks and referral records map to a CRM's fields, per CRM (docs/crm.md). The CRM webhook provider posts each record with its mapped properties; JOURNEY_CRM names the mapping in use.
 */
export interface CRMMappings {
  $schema?: string;
  $comment?: string;
  mappings: {
    [k: string]: CRMMapping;
  };
}
export interface CRMMapping {
  description?: string;
  ownerTask: OwnerTaskMapping;
  referral: ReferralMapping;
}
/**
 * How one owner task becomes a CRM record.
 */
export interface OwnerTaskMapping {
  /**
   * The CRM object the receiver upserts (HubSpot: tasks, contacts; Salesforce: Task, Lead).
   */
  object: string;
  /**
   * The CRM property that holds the engine's id (an external id field), so the receiver upserts by it.
   */
  idProperty: string;
  /**
   * CRM property name → value.
   */
  properties: {
    [k: string]: Value;
  };
}
/**
 * How one referral becomes a CRM record.
 */
export interface ReferralMapping {
  /**
   * The CRM object the receiver upserts (HubSpot: tasks, contacts; Salesforce: Task, Lead).
   */
  object: string;
  /**
   * The CRM property that holds the engine's id (an external id field), so the receiver upserts by it.
   */
  idProperty: string;
  /**
   * CRM property name → value.
   */
  properties: {
    [k: string]: Value;
  };
}
