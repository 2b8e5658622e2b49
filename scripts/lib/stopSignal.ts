// When a long-running command (npm start) must stop: on SIGINT, SIGTERM or SIGHUP, or when the
// process that launched it has gone. The last matters because a launcher may die without passing
// a signal on: `npm start` runs its script under `sh -c`, and when npm forwards SIGTERM to that sh
// (dash), the sh dies and leaves its child running, reparented.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** An AbortSignal aborted (once, with the reason) by the first stop; `onStop` is told why. */
export function stopSignal(onStop: (why: string) => void): AbortSignal {
  const ac = new AbortController();
  const stop = (why: string) => {
    if (ac.signal.aborted) return; // Ctrl+C reaches a process twice: from the terminal and from its launcher
    onStop(why);
    ac.abort(new Error(`stopped: ${why}`));
  };
  for (const sig of SIGNALS) process.on(sig, () => stop(sig));
  const launcher = process.ppid;
  setInterval(() => { if (process.ppid !== launcher) stop(`its launcher (pid ${launcher}) has gone`); }, 500).unref();
  return ac.signal;
}
