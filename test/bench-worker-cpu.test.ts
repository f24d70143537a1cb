// The /proc readings the benchmark's Worker CPU figures rest on (scripts/bench/worker-cpu.ts): the right process is
// found by its parent chain, and its on-CPU time grows with the work it does, not with the time it waits.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { findDescendants, processCpuNs } from '../scripts/bench/worker-cpu.ts';

const children: ChildProcess[] = [];
const orphans: number[] = [];
const kill = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
afterEach(() => {
  // Each child leads its own process group: killing the group takes a shell's `sleep` with it.
  for (const child of children.splice(0)) kill(-child.pid!);
  for (const pid of orphans.splice(0)) kill(pid);
});

function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  children.push(child);
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!existsSync('/proc/self/task'))('worker-cpu /proc readings', () => {
  it('finds a process by name through its parents, and only under the given ancestor', async () => {
    // The shell stays as the parent of `sleep` (a second command keeps it from exec'ing in place).
    const shell = start('sh', ['-c', 'sleep 30; true']);
    // A `sleep` whose shell has exited belongs to init (or a subreaper) now, not to this process.
    const orphan = await new Promise<number>((resolve) => {
      const launcher = spawn('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { stdio: ['ignore', 'pipe', 'ignore'] });
      launcher.stdout!.on('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    });
    orphans.push(orphan);
    await sleep(300);
    const found = findDescendants('sleep');
    expect(found).toHaveLength(1);
    expect(found).not.toContain(orphan);
    expect(findDescendants('sleep', shell.pid!)).toEqual(found);
  });

  it('counts CPU time spent computing, not time spent waiting', async () => {
    const idle = start('sleep', ['30']);
    const busy = start(process.execPath, ['-e', 'for (;;) {}']);
    await sleep(100);
    const before = { idle: processCpuNs(idle.pid!), busy: processCpuNs(busy.pid!) };
    await sleep(500);
    const idleNs = processCpuNs(idle.pid!) - before.idle;
    const busyNs = processCpuNs(busy.pid!) - before.busy;
    expect(idleNs).toBeLessThan(5e6);
    // Half a second of a spinning loop; the machine may be shared, so only a tenth of it is required.
    expect(busyNs).toBeGreaterThan(5e7);
  });
});
