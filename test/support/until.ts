// Waiting for what a test means (an event recorded, a file written, a process gone) instead of
// sleeping: the probe is asked again and again until it answers. The deadline only turns a wait
// that never ends into a failure naming what was awaited; it is no performance bound.

export interface UntilOptions {
  /** How long before giving up (default 20 s: generous, a loaded 2-core machine is slow). */
  ms?: number;
  /** How often to ask (default 10 ms). */
  everyMs?: number;
}

/**
 * Resolves with the probe's first truthy answer. A probe that throws counts as "not yet" (a page
 * mid-navigation); its last error is in the timeout's message, with `what`.
 */
export async function until<T>(
  what: string | (() => string),
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  o: UntilOptions = {},
): Promise<T> {
  const ms = o.ms ?? 20_000;
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      const name = typeof what === 'string' ? what : what();
      const why = last === undefined ? '' : ` (last error: ${last instanceof Error ? String(last) : JSON.stringify(last)})`;
      throw new Error(`timed out after ${ms} ms waiting for ${name}${why}`);
    }
    await new Promise((r) => setTimeout(r, o.everyMs ?? 10));
  }
}
