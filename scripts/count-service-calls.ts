// Counts every call made through a Temporal connection's workflow service, by method name, so a benchmark or a test
// can say what the API asked of the server. `restore()` puts the service's own methods back.
export function countWorkflowServiceCalls(workflowService: object): { calls: Map<string, number>; restore(): void } {
  const service = workflowService as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const calls = new Map<string, number>();
  const originals = Object.entries(service).filter(([, fn]) => typeof fn === 'function');
  for (const [name, fn] of originals)
    service[name] = (...args: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return fn.apply(service, args);
    };
  return {
    calls,
    restore() {
      for (const [name, fn] of originals) service[name] = fn;
    },
  };
}
