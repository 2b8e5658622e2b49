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

/** Whether any process of the group `pid` leads is still there. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGTERM to the group, then waits until every process of it has gone (they may save their work
 * first: an extension host stopping its backend), and SIGKILLs what is left after `graceMs`.
 */
export async function endTree(pid: number | undefined, graceMs = 5000): Promise<void> {
  if (!pid) return;
  killTree(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  killTree(pid, 'SIGKILL');
}
