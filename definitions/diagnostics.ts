// Errors are data: every problem the compiler finds, with where it is and what to do, rendered at the edge.
export interface Diagnostic {
  /** The file, relative to the project root when it is inside it. */
  file: string;
  /** 1-based line and column of the offending value (or of its parent when the value is missing). */
  line: number;
  column: number;
  /** JSON pointer (RFC 6901) to the offending value, '' for the document. */
  pointer: string;
  message: string;
  /** What was expected there, when that can be said. */
  expected?: string;
  /** A fix to try ("did you mean `nps.submitted`?"). */
  suggestion?: string;
  severity: 'error' | 'warning';
  /** For a problem inside a template file (`file`, `line`, `column` then name the template): where the journey
   *  uses that template, i.e. the place of `pointer` in the journey file. */
  usedAt?: { file: string; line: number; column: number };
  /** A stable code per kind of problem, e.g. `schema.additionalProperties`, `catalog.unknownEvent`. */
  code: string;
}
