// When a crashed backend is restarted: at most `max` times within a sliding window. Plain
// TypeScript (no vscode import) so the integration tests drive it against a real server process.
export type CrashDecision =
  | { restart: true; attempt: number }
  | { restart: false; reason: string };

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(private readonly max: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  onCrash(): CrashDecision {
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < this.windowMs);
    this.crashes.push(t);
    if (this.crashes.length <= this.max) return { restart: true, attempt: this.crashes.length };
    const mins = Math.round(this.windowMs / 60_000);
    return {
      restart: false,
      reason: `The Torbit backend crashed ${this.crashes.length} times in ${mins >= 1 ? `${mins} minute(s)` : `${Math.round(this.windowMs / 1000)} s`} and will not be restarted automatically. See the Torbit log, then run "Torbit: Restart Backend".`,
    };
  }

  /** A deliberate restart (the command) starts the count afresh. */
  reset(): void {
    this.crashes = [];
  }
}
