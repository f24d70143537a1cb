import { execFile, spawn } from 'node:child_process';

export interface RunGitOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to git's standard input. */
  input?: string;
  /** Exit codes besides 0 that are answers, not failures (`git grep` exits 1 when nothing matches): stdout is returned. */
  okExitCodes?: readonly number[];
}

/** Runs git in `cwd` and returns stdout; rejects with git's own message. */
export function runGit(cwd: string, args: string[], options: RunGitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd, env: options.env ?? process.env, maxBuffer: 1 << 30, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = typeof (error as { code?: unknown } | null)?.code === 'number' ? (error as { code: number }).code : undefined;
      if (error && !(code !== undefined && options.okExitCodes?.includes(code))) reject(new Error(`git ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    // A git that exits before reading its input closes the pipe; its own error reaches the callback above.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}

/** Reads many blobs through one `git cat-file --batch` process. */
export function readBlobs(cwd: string, oids: string[]): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed: ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      const blobs = new Map<string, string>();
      let at = 0;
      while (at < out.length) {
        const headerEnd = out.indexOf(10, at);
        const [oid, type, size] = out.subarray(at, headerEnd).toString().split(' ');
        if (type !== 'blob') return reject(new Error(`git cat-file: ${oid} is ${type ?? 'missing'}`));
        const start = headerEnd + 1;
        blobs.set(oid!, out.subarray(start, start + Number(size)).toString('utf8'));
        at = start + Number(size) + 1;
      }
      resolve(blobs);
    });
    child.stdin.end(oids.join('\n') + '\n');
  });
}

/**
 * The bytes of `file` at `commit`, or undefined when the commit has no such file (or it is larger than `maxBytes`:
 * a caller that reads a bounded format need not hold more).
 */
export function readFileAtCommit(cwd: string, commit: string, file: string, maxBytes: number): Promise<Buffer | undefined> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(commit)) return Promise.reject(new Error(`not a full commit SHA: ${commit}`));
  return new Promise((resolve) => {
    execFile('git', ['cat-file', 'blob', `${commit}:${file}`], { cwd, encoding: 'buffer', maxBuffer: maxBytes + 1 }, (error, stdout) => {
      resolve(error || stdout.length > maxBytes ? undefined : stdout);
    });
  });
}

/** The names of the folders directly inside `folder` at `commit` (none when it is not there). */
export async function listFoldersAtCommit(cwd: string, commit: string, folder: string): Promise<string[]> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(commit)) throw new Error(`not a full commit SHA: ${commit}`);
  const out = await runGit(cwd, ['ls-tree', '-d', '--name-only', '-z', commit, '--', `${folder.replace(/\/+$/, '')}/`]);
  return out.split('\0').filter(Boolean).map((p) => p.slice(p.lastIndexOf('/') + 1));
}
