// The tracking writer's key memory as it was before activities/tracking/recent-keys.ts: the keys as strings in an
// insertion-ordered Set that forgets its oldest past `max`. The reference RecentKeys must answer as
// (test/tracking-recent-keys.test.ts) and the baseline it is measured against (bench/tracking-keys.ts).
export class StringKeys {
  readonly keys = new Set<string>();
  constructor(private readonly max: number) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value!);
  }
}
