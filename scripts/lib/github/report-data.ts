// The validation report arrives in the privileged workflow as an artifact written by a job that ran the PR's code:
// it is untrusted data. It is read here and only here, strictly: size-limited, every field type- and range-checked,
// copied into fresh objects (no prototype tricks, nothing unknown carried along). Anything else is refused.

import type { Problem } from '../problems.ts';
import type { ValidationReport } from '../validate/types.ts';

export class ReportDataError extends Error {
  constructor(message: string) {
    super(`validation report rejected: ${message}`);
    this.name = 'ReportDataError';
  }
}

export const REPORT_LIMITS = {
  bytes: 32 * 1024 * 1024,
  problems: 100_000,
  publishes: 100_000,
  code: 100,
  file: 1024,
  jsonPath: 4096,
  text: 10_000,
  name: 255,
  version: 255,
} as const;

const CHECK_IDS = ['files', 'schema', 'rules', 'registry', 'changes', 'ownership', 'packages'] as const;
const CODE = /^[a-z0-9][a-z0-9._-]*$/i;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(object: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function string(object: Json, key: string, where: string, max: number, optional = false): string | undefined {
  const value = own(object, key);
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string') throw new ReportDataError(`${where}.${key} must be a string`);
  if (value.length > max) throw new ReportDataError(`${where}.${key} is longer than ${max} characters`);
  return value;
}

function position(object: Json, key: string, where: string): number | undefined {
  const value = own(object, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new ReportDataError(`${where}.${key} must be a whole number from 1`);
  return value;
}

function array(object: Json, key: string, max: number): unknown[] {
  const value = own(object, key);
  if (!Array.isArray(value)) throw new ReportDataError(`${key} must be an array`);
  if (value.length > max) throw new ReportDataError(`${key} has more than ${max} items`);
  return value;
}

function parseProblem(value: unknown, i: number): Problem {
  const where = `problems[${i}]`;
  if (!isObject(value)) throw new ReportDataError(`${where} must be an object`);
  const code = string(value, 'code', where, REPORT_LIMITS.code)!;
  if (!CODE.test(code)) throw new ReportDataError(`${where}.code is not a problem code`);
  const severity = own(value, 'severity');
  if (severity !== 'error' && severity !== 'warning') throw new ReportDataError(`${where}.severity must be "error" or "warning"`);
  const problem: Problem = { code, severity, message: string(value, 'message', where, REPORT_LIMITS.text)!, hint: string(value, 'hint', where, REPORT_LIMITS.text)! };
  const file = string(value, 'file', where, REPORT_LIMITS.file, true);
  if (file !== undefined) problem.file = file;
  const jsonPath = string(value, 'jsonPath', where, REPORT_LIMITS.jsonPath, true);
  if (jsonPath !== undefined) problem.jsonPath = jsonPath;
  const line = position(value, 'line', where);
  if (line !== undefined) problem.line = line;
  const column = position(value, 'column', where);
  if (column !== undefined) problem.column = column;
  return problem;
}

/** Parses and checks a ValidationReport from untrusted JSON text; throws ReportDataError on anything unexpected. */
export function parseValidationReport(text: string): ValidationReport {
  if (Buffer.byteLength(text, 'utf8') > REPORT_LIMITS.bytes) throw new ReportDataError(`larger than ${REPORT_LIMITS.bytes} bytes`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReportDataError(`not JSON (${(error as Error).message})`);
  }
  if (!isObject(data)) throw new ReportDataError('not a JSON object');

  const problems = array(data, 'problems', REPORT_LIMITS.problems).map(parseProblem);
  const publishes = array(data, 'publishes', REPORT_LIMITS.publishes).map((value, i) => {
    const where = `publishes[${i}]`;
    if (!isObject(value)) throw new ReportDataError(`${where} must be an object`);
    return {
      name: string(value, 'name', where, REPORT_LIMITS.name)!,
      version: string(value, 'version', where, REPORT_LIMITS.version)!,
      file: string(value, 'file', where, REPORT_LIMITS.file)!,
    };
  });
  const seen = new Set<string>();
  const checks = array(data, 'checks', CHECK_IDS.length).map((value, i) => {
    const where = `checks[${i}]`;
    if (!isObject(value)) throw new ReportDataError(`${where} must be an object`);
    const id = own(value, 'id');
    if (typeof id !== 'string' || !(CHECK_IDS as readonly string[]).includes(id)) throw new ReportDataError(`${where}.id must be one of ${CHECK_IDS.join(', ')}`);
    if (seen.has(id)) throw new ReportDataError(`${where}.id "${id}" appears twice`);
    seen.add(id);
    const passed = own(value, 'passed');
    const ran = own(value, 'ran');
    if (typeof passed !== 'boolean' || typeof ran !== 'boolean') throw new ReportDataError(`${where}.passed and .ran must be true or false`);
    return { id: id as (typeof CHECK_IDS)[number], passed, ran };
  });
  return { problems, publishes, checks };
}

/** A PR number from untrusted text: a positive integer written plainly, nothing else. */
export function parsePrNumber(text: string): number {
  const trimmed = text.trim();
  if (!/^[1-9][0-9]{0,9}$/.test(trimmed)) throw new ReportDataError(`PR number "${trimmed.slice(0, 20)}" is not a positive integer`);
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n)) throw new ReportDataError('PR number out of range');
  return n;
}
