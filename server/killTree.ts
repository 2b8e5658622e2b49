// Stopping a program Torbit started, with whatever it started: children are spawned detached
// (their own process group), so one signal to the group reaches them all.

/** Signals the whole process group of `pid` (the process alone on Windows). */
export function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM now, SIGKILL after `graceMs` for whatever ignored it. */
export function stopTree(pid: number | undefined, graceMs = 2000): void {
  killTree(pid, 'SIGTERM');
  setTimeout(() => killTree(pid, 'SIGKILL'), graceMs).unref();
}
