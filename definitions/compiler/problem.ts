// A problem found by a check, before it is placed at a line and column and becomes a Diagnostic.
export interface Problem {
  pointer: string;
  /** Point at the key of the property rather than its value (unknown keys, unknown operators). */
  atKey?: boolean;
  message: string;
  expected?: string;
  suggestion?: string;
  code: string;
  severity?: 'error' | 'warning';
}
