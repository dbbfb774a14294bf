// A progress bar on stderr for long replays: redrawn in place on a terminal, a line per 10% otherwise (CI logs).
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): { update(fraction: number): void; done(): void } {
  const started = Date.now();
  let lastTenth = -1;
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  return {
    update(fraction) {
      const pct = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
      if (stream.isTTY) {
        const filled = Math.round(pct / 4);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(25 - filled)}] ${String(pct).padStart(3)}%  ${elapsed()}`);
      } else if (Math.floor(pct / 10) > lastTenth) {
        lastTenth = Math.floor(pct / 10);
        stream.write(`${label} ${pct}% of simulated time, ${elapsed()}\n`);
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
