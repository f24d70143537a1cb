// Real git repositories and entries trees in temporary folders, with fixed commit times and an identity given
// through the environment, so tests never depend on the machine's git configuration or clock.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** Environment for every git command a test runs itself: no user or system config, fixed identity. */
export function gitEnv(date?: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.com',
    ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
  };
}

export function git(cwd: string, args: string[], date?: string): string {
  return execFileSync('git', args, { cwd, env: gitEnv(date), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The text of a server.json for `name` at `version`. */
export function serverJson(name: string, version: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ $schema: SCHEMA_URL, name, description: `Test server ${name}`, version, ...extra }, null, 2) + '\n';
}

/** The text of a status file: YAML front matter from `front` (already YAML), then a Markdown body. */
export function statusFile(front: string, body = '# About\n\nA test server.\n'): string {
  return `---\n${front.trim()}\n---\n\n${body}`;
}

/** A temporary folder removed by `cleanup()`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `msr-${prefix}-`));
}

export class Repo {
  /** `root` is the work tree; `entries` the entries folder inside it (the root itself unless `subfolder`). */
  readonly entries: string;

  constructor(readonly root: string, subfolder = '') {
    this.entries = path.join(root, subfolder);
    mkdirSync(this.entries, { recursive: true });
  }

  static init(prefix: string, subfolder = ''): Repo {
    const root = tempDir(prefix);
    git(root, ['init', '--quiet', '--initial-branch=main']);
    return new Repo(root, subfolder);
  }

  git(args: string[], date?: string): string {
    return git(this.root, args, date);
  }

  /** A bare repository at `origin` holding this repository's main, as GitHub holds the base repository. */
  pushToBare(origin: string): string {
    git(path.dirname(origin), ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
    this.git(['push', '--quiet', origin, 'main']);
    return origin;
  }

  /** Writes a file relative to the entries folder. */
  write(file: string, text: string): this {
    const full = path.join(this.entries, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    return this;
  }

  /** Writes `<name>/<version>/server.json`. */
  server(name: string, version: string, extra: Record<string, unknown> = {}): this {
    return this.write(`${name}/${version}/server.json`, serverJson(name, version, extra));
  }

  /** Writes `<name>/server.md`. */
  status(name: string, front: string, body?: string): this {
    return this.write(`${name}/server.md`, statusFile(front, body));
  }

  remove(file: string): this {
    rmSync(path.join(this.entries, file), { recursive: true, force: true });
    return this;
  }

  /** Stages everything and commits it at `date` (author and committer time). */
  commit(date: string, message = `change at ${date}`): this {
    this.git(['add', '--all', '.']);
    this.git(['commit', '--quiet', '--allow-empty', '-m', message], date);
    return this;
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
