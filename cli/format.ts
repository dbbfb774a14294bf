// Rendering diagnostics for people: `file:line:col  pointer  message  (expected …)  hint: …`.
import type { Diagnostic } from '../definitions/diagnostics.ts';

export function formatDiagnostic(d: Diagnostic): string {
  const parts = [
    `${d.file}:${d.line}:${d.column}`,
    // A mistake inside a template: the template's place first, then where the journey uses it.
    d.usedAt ? `${d.pointer} (in ${d.usedAt.file}:${d.usedAt.line}:${d.usedAt.column})` : d.pointer || '(document)',
    `${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`,
  ];
  if (d.expected) parts.push(`(expected ${d.expected})`);
  if (d.suggestion) parts.push(`hint: ${d.suggestion}`);
  return parts.join('  ');
}
