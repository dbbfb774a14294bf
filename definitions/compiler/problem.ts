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
  /** The problem sits in a local template file (path relative to definitions/) at this offset; `pointer` uses it. */
  template?: { file: string; offset: number };
  /** The problem sits inside the string at `pointer` (a subject), this many characters in. */
  subjectOffset?: number;
}
