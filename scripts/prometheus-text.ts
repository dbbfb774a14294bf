// Prometheus's text exposition format, read back: the samples of a /metrics page (the Temporal server's, the
// worker's SDK metrics), for the benches and tests that count what the server or a worker did.

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample line of the page (`name{labels} value [timestamp]`); comments and blank lines are skipped. */
export function prometheusSamples(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][\w:]*)(?:\{([^}]*)\})? (\S+)(?: \S+)?$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The samples of `name` summed over their label sets, or only over those `where` keeps. */
export function sumSamples(
  samples: readonly PrometheusSample[],
  name: string,
  where?: (labels: Record<string, string>) => boolean,
): number {
  return samples.reduce((sum, s) => (s.name === name && (!where || where(s.labels)) ? sum + s.value : sum), 0);
}

/** The page at `url`, parsed. */
export async function fetchPrometheusSamples(url: string, init?: RequestInit): Promise<PrometheusSample[]> {
  return prometheusSamples(await (await fetch(url, init)).text());
}
