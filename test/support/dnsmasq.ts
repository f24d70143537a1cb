// A real DNS server (Debian's dnsmasq) on 127.0.0.1 answering the TXT records a test gives it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';

export const DNSMASQ = ['/usr/sbin/dnsmasq', 'dnsmasq'].find((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0);
export const dnsmasqMissing = DNSMASQ ? null : 'dnsmasq is not installed (Debian: apt-get install dnsmasq-base)';

/** A UDP port free on 127.0.0.1 right now. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Starts dnsmasq with `--txt-record` for each [name, value]; resolves once it answers. */
export async function startDnsmasq(records: Array<[string, string]>): Promise<{ servers: string[]; stop(): Promise<void> }> {
  if (!DNSMASQ) throw new Error(dnsmasqMissing!);
  const port = await freeUdpPort();
  const child: ChildProcess = spawn(DNSMASQ, [
    '--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
    '--conf-file=/dev/null', '--pid-file=', '--local=/test/', ...records.map(([name, value]) => `--txt-record=${name},${value}`),
  ], { stdio: 'ignore' });
  const servers = [`127.0.0.1:${port}`];
  const resolver = new dnsPromises.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers(servers);
  for (let i = 0; ; i++) {
    try {
      await resolver.resolveTxt(records[0]![0]);
      break;
    } catch (error) {
      if (i > 50 || child.exitCode !== null) throw new Error(`dnsmasq did not answer: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { servers, stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill(); }) };
}
