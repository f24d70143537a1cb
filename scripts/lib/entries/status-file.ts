// `entries/<namespace>/<server>/server.md`: the registry-managed state of a server that later pull requests may
// change (published server.json files never change). YAML front matter for status, Markdown body for the site.

import matter from 'gray-matter';
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

/** Parses the text of a status file. Problems are returned, never thrown. */
export function parseStatusFile(file: string, text: string): { statusFile: StatusFile; problems: Problem[] } {
  const problems: Problem[] = [];
  let data: Record<string, unknown> = {};
  let body = '';
  try {
    // gray-matter caches by input text; an empty options object turns that off so every parse is independent.
    const parsed = matter(text, {});
    data = parsed.data as Record<string, unknown>;
    body = parsed.content.replace(/^\n+/, '');
  } catch (error) {
    problems.push(problem({ code: 'status-file-yaml', file, jsonPath: '', message: `the front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`, hint: 'Fix the YAML between the two --- lines.' }));
  }
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
  return { statusFile: { file, ...top, versions, body, ...(annotations ? { annotations } : {}) }, problems };
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
  if (bad !== undefined) return report(bad, 'annotations hold only strings, numbers, booleans, lists and mappings', 'Quote dates and other values YAML would read as something else.');
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > ANNOTATIONS_MAX_BYTES) return report('', `annotations take ${bytes} bytes as JSON; the limit is ${ANNOTATIONS_MAX_BYTES}`, 'Keep annotations short; link to longer documents.');
  return value as Record<string, unknown>;
}

/** The JSON path of the first value that JSON cannot carry as is (a YAML date, say), or undefined. */
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
