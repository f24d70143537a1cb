// One of the project's scripts/*.ts run as its own process through tsx, or with `launcher` through scripts/run.mjs
// the way npm runs it; asynchronous, so a server the test holds (a busy port, a fake API) keeps answering meanwhile.
// Killed after a minute at the latest.

import { spawn } from 'node:child_process';
import path from 'node:path';

const PROJECT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(PROJECT, 'node_modules', '.bin', 'tsx');

export interface ScriptRun {
  code: number | null;
  out: string;
  err: string;
}

export function runScript(script: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; launcher?: boolean }): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const [command, ...commandArgs] = options.launcher
      ? [process.execPath, path.join(PROJECT, 'scripts', 'run.mjs'), script.replace(/\.ts$/, ''), ...args]
      : [TSX, path.join(PROJECT, 'scripts', script), ...args];
    const child = spawn(command!, commandArgs, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
