// `entries/<namespace>/<server>/server.md`: the registry-managed state of a server that later pull requests may
// change (published server.json files never change). YAML front matter for status, Markdown body for the site.

import matter from 'gray-matter';
import { parseDocument } from 'yaml';
import { escapePointerSegment, problem, type Problem } from '../problems.ts';
import { STATUSES, type Status, type StatusFile, type StatusSetting } from '../model.ts';

export const STATUS_FILE_NAME = 'server.md';
export const STATUS_MESSAGE_MAX = 500;

const DOCS = 'See "The status file" in README.md.';

function readSetting(value: unknown, file: string, path: string, problems: Problem[]): StatusSetting {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(problem({ code: 'status-file-invalid', file, jsonPath: path, message: 'expected a mapping of status and statusMessage', hint: DOCS }));
    return {};
  }
  const setting: StatusSetting = {};
  const { status, statusMessage, ...rest } = value as Record<string, unknown>;
  for (const key of Object.keys(rest)) {
    if (path === '' && (key === 'versions' || key === 'annotations')) continue;
    problems.push(problem({ code: 'status-file-unknown-key', file, jsonPath: `${path}/${key}`, message: `unknown key "${key}"`, hint: `Use only status and statusMessage${path === '' ? ', versions and annotations' : ''}. ${DOCS}` }));
  }
  if (status !== undefined) {
    if (typeof status === 'string' && (STATUSES as readonly string[]).includes(status)) setting.status = status as Status;
    else problems.push(problem({ code: 'status-invalid', file, jsonPath: `${path}/status`, message: `status must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(status)}`, hint: 'Set status to active, deprecated or deleted.' }));
  }
  if (statusMessage !== undefined) {
    if (typeof statusMessage !== 'string') {
      problems.push(problem({ code: 'status-message-invalid', file, jsonPath: `${path}/statusMessage`, message: 'statusMessage must be a string', hint: 'Quote the message.' }));
    } else if (statusMessage.length > STATUS_MESSAGE_MAX) {
      problems.push(problem({ code: 'status-message-too-long', file, jsonPath: `${path}/statusMessage`, message: `statusMessage has ${statusMessage.length} characters; the limit is ${STATUS_MESSAGE_MAX}`, hint: 'Shorten the message; put long explanations in the Markdown body.' }));
    } else if (status === undefined) {
      problems.push(problem({ code: 'status-message-without-status', file, jsonPath: `${path}/statusMessage`, message: 'a statusMessage needs a status beside it', hint: 'Add status: deprecated or status: deleted next to the message, or remove the message.' }));
    } else if (setting.status === 'active') {
      problems.push(problem({ code: 'status-message-with-active', file, jsonPath: `${path}/statusMessage`, message: 'a statusMessage cannot be given with status active', hint: 'Remove statusMessage, or set status to deprecated or deleted.' }));
    } else if (setting.status) setting.statusMessage = statusMessage;
  }
  return setting;
}

/**
 * YAML 1.2 core schema: no timestamps (`2025-01-01` stays a string), no `!!binary`, `!!set` or any other tag, no
 * merge keys; aliases expand at most 100 times. The `yaml` package evaluates nothing.
 */
const YAML_OPTIONS = { version: '1.2', schema: 'core', resolveKnownTags: false, uniqueKeys: true, merge: false, strict: true, logLevel: 'error' } as const;
const MAX_YAML_ALIASES = 100;

/**
 * The front matter may be this long at most. gray-matter strips comments from it with `/^\s*#[^\n]+/gm`
 * (jonschlinkert/gray-matter 4.0.3, index.js), which is quadratic in a run of blank lines: 64 KiB of them cost
 * 1.5 s, 32 KiB about a quarter of that. Statuses, messages of 500 characters and 4 KB of annotations fit easily.
 */
export const FRONT_MATTER_MAX_BYTES = 32 * 1024;

/** Raised by every gray-matter engine but ours: a language reaching one is never parsed, let alone run. */
class RefusedLanguage extends Error {}
const refuse = (): never => {
  throw new RefusedLanguage();
};

/** What the YAML engine hands back through gray-matter: the parsed document, read (and checked) by the caller. */
const YAML_DOCUMENT = Symbol('yaml document');
interface ParsedFrontMatter { [YAML_DOCUMENT]: ReturnType<typeof parseDocument> }

/**
 * gray-matter with YAML, read by the `yaml` package, as its only engine. Its own engines include one that runs
 * `---js` front matter through eval and one that reads YAML 1.1 dates as Date objects (lib/engines.js); options
 * replace an engine by name (lib/defaults.js), so every name it knows or aliases is replaced here, and a language
 * it does not know is an error there (lib/engine.js). The language is also checked before gray-matter is called.
 */
const MATTER_OPTIONS = {
  language: 'yaml',
  excerpt: false,
  engines: {
    yaml: { parse: (text: string): ParsedFrontMatter => ({ [YAML_DOCUMENT]: parseDocument(text, YAML_OPTIONS) }), stringify: refuse },
    yml: refuse, json: refuse, js: refuse, javascript: refuse, coffee: refuse, coffeescript: refuse, cs: refuse, cson: refuse, toml: refuse,
  },
} as unknown as Parameters<typeof matter>[1];

/** Front matter and body as gray-matter splits them, after the checks it does not make; problems for the rest. */
function splitFrontMatter(file: string, text: string, problems: Problem[]): { document?: ReturnType<typeof parseDocument>; body: string; bodyLine: number } | undefined {
  // gray-matter splits at "\n---" and leaves a CR at the end of the YAML and the rest of the closing line in the
  // body: lines end in LF alone before it sees them (line numbers stay the same).
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const firstEnd = source.indexOf('\n');
  const firstLine = (firstEnd < 0 ? source : source.slice(0, firstEnd)).replace(/\r$/, '');
  const opened = firstLine.startsWith('---') && firstLine[3] !== '-';
  // Anything after the opening `---` names a language (`---js`, `---toml`…): refused by name, never parsed.
  const language = opened ? firstLine.slice(3).trim() : '';
  if (language) {
    problems.push(problem({
      code: 'status-file-front-matter-language', file, jsonPath: '', line: 1, column: 4,
      message: `the front matter is marked as "${language.slice(0, 40)}"; only YAML front matter is read, and nothing in server.md is ever run`,
      hint: 'Start the file with a line holding only --- and write the front matter in YAML (status: deprecated, …).',
    }));
    return undefined;
  }
  if (opened) {
    const close = source.indexOf('\n---', 3);
    if (close < 0) {
      problems.push(problem({
        code: 'status-file-yaml', file, jsonPath: '', line: 1, column: 1,
        message: 'the front matter opened by --- on the first line has no closing --- line',
        hint: 'End the front matter with a line holding only ---, then write the Markdown body.',
      }));
      return undefined;
    }
    if (close > FRONT_MATTER_MAX_BYTES) {
      problems.push(problem({
        code: 'status-file-front-matter-too-large', file, jsonPath: '', line: 1, column: 1,
        message: `the front matter takes ${close} bytes; the limit is ${FRONT_MATTER_MAX_BYTES}`,
        hint: 'Keep the front matter to statuses, short messages and annotations: set one status for the whole server instead of one per version, and put long text in the Markdown body.',
      }));
      return undefined;
    }
  }
  let parsed: { data: unknown; content: string };
  try {
    // Options are always given: without them gray-matter caches results by input text, across files.
    parsed = matter(source, MATTER_OPTIONS);
  } catch (error) {
    if (error instanceof RefusedLanguage) return undefined;
    throw error;
  }
  const document = (parsed.data as Partial<ParsedFrontMatter>)[YAML_DOCUMENT];
  // The body is what gray-matter leaves after the closing line; its first line is counted in the source.
  return { ...(document ? { document } : {}), ...bodyFrom(source, source.length - parsed.content.length) };
}

/**
 * The body from `offset` on without its leading blank lines (and what follows the closing `---` on its line), and
 * the file line it starts on.
 */
function bodyFrom(text: string, offset: number): { body: string; bodyLine: number } {
  let line = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  for (const blank = /[ \t]*\n/y; ; line++) {
    blank.lastIndex = offset;
    if (!blank.test(text)) return { body: text.slice(offset), bodyLine: line };
    offset = blank.lastIndex;
  }
}

/** The front matter's data, or undefined with a problem; positions are the file's. */
function parseFrontMatter(file: string, doc: ReturnType<typeof parseDocument>, problems: Problem[]): unknown {
  // Warnings are tags the core schema does not know (`!!timestamp`, `!!js/function`, `!custom`): refused, not guessed.
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) {
    const at = first.linePos?.[0];
    problems.push(problem({
      code: 'status-file-yaml', file, jsonPath: '', ...(at ? { line: at.line, column: at.col } : {}),
      message: `${doc.errors.length ? 'the front matter is not valid YAML' : 'the front matter uses a YAML tag'}: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      hint: doc.errors.length ? 'Fix the YAML between the two --- lines.' : 'Remove the YAML tag (!!… or !…): front matter holds only plain strings, numbers, booleans, lists and mappings.',
    }));
    return undefined;
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    problems.push(problem({ code: 'status-file-yaml', file, jsonPath: '', message: `the front matter cannot be read: ${(error as Error).message.split('\n')[0]}`, hint: 'Write the values out instead of using YAML aliases (*name).' }));
    return undefined;
  }
}

/** Parses the text of a status file. Problems are returned, never thrown. */
export function parseStatusFile(file: string, text: string): { statusFile: StatusFile; problems: Problem[] } {
  const problems: Problem[] = [];
  const split = splitFrontMatter(file, text, problems);
  const parsed = split?.document ? parseFrontMatter(file, split.document, problems) : undefined;
  // No front matter, an empty one or an unreadable one is an empty mapping; readSetting reports any other non-mapping.
  const data = (parsed ?? {}) as Record<string, unknown>;
  const body = split?.body ?? '';
  const top = readSetting(data, file, '', problems);
  const versions: Record<string, StatusSetting> = {};
  const rawVersions = data.versions;
  if (rawVersions !== undefined && rawVersions !== null) {
    if (typeof rawVersions !== 'object' || Array.isArray(rawVersions)) {
      problems.push(problem({ code: 'status-file-invalid', file, jsonPath: '/versions', message: 'versions must map version strings to settings', hint: DOCS }));
    } else {
      for (const [version, setting] of Object.entries(rawVersions)) versions[version] = readSetting(setting, file, `/versions/${version}`, problems);
    }
  }
  const annotations = readAnnotations(data.annotations, file, problems);
  return { statusFile: { file, ...top, versions, body, bodyLine: split?.bodyLine ?? 1, ...(annotations ? { annotations } : {}) }, problems };
}

/** Annotations are served as JSON; this many bytes of it at most (the official limit for publisher `_meta`). */
export const ANNOTATIONS_MAX_BYTES = 4096;

function readAnnotations(value: unknown, file: string, problems: Problem[]): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  const report = (jsonPath: string, message: string, hint: string): undefined => {
    problems.push(problem({ code: 'annotations-invalid', file, jsonPath: `/annotations${jsonPath}`, message, hint: `${hint} See docs/sub-registry.md.` }));
    return undefined;
  };
  if (typeof value !== 'object' || Array.isArray(value)) return report('', 'annotations must be a mapping', 'Write "annotations:" then indented keys, e.g. "approval: approved".');
  const bad = nonJsonValue(value, '');
  if (bad !== undefined) return report(bad, 'annotations hold only strings, numbers, booleans, lists and mappings', 'Replace .inf and .nan, which JSON cannot carry, with a string or a finite number.');
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > ANNOTATIONS_MAX_BYTES) return report('', `annotations take ${bytes} bytes as JSON; the limit is ${ANNOTATIONS_MAX_BYTES}`, 'Keep annotations short; link to longer documents.');
  return value as Record<string, unknown>;
}

/** The JSON path of the first value that JSON cannot carry as is (YAML's .inf or .nan), or undefined. */
function nonJsonValue(value: unknown, at: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : at;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = nonJsonValue(value[i], `${at}/${i}`);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const bad = nonJsonValue(item, `${at}/${escapePointerSegment(key)}`);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  return at;
}

/** The status a version has under a status file: its own entry first, then the server-wide one. */
export function effectiveStatus(statusFile: Pick<StatusFile, 'status' | 'statusMessage' | 'versions'> | undefined, version: string): { status: Status; statusMessage?: string } {
  const own = statusFile?.versions[version];
  const setting = own?.status ? own : statusFile?.status ? statusFile : {};
  const status = setting.status ?? 'active';
  return status === 'active' || setting.statusMessage === undefined ? { status } : { status, statusMessage: setting.statusMessage };
}
