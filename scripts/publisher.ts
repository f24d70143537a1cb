// npm run publisher -- <command> …: the publisher's side of the registry (scaffold, keys and proofs, check, submit).
// Exit codes: 0 done, 1 failed (invalid entry, GitHub refused), 2 wrong command line.
import { runCommand } from './lib/publisher/commands.ts';

runCommand(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
