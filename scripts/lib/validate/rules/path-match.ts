// A Git registry's own rule: the file's place is its identity. `entries/<name>/<version>/server.json` must hold
// exactly that name and version, or the API would publish it under one name while the tree says another.

import { problem, type Problem } from '../../problems.ts';
import type { ServerDocument } from '../types.ts';

export function checkPathMatchesContent(doc: ServerDocument): Problem[] {
  const server = doc.server;
  if (!server) return [];
  const problems: Problem[] = [];
  const right = `entries/${String(server.name)}/${String(server.version)}/server.json`;
  if (typeof server.name === 'string' && server.name !== doc.pathName) {
    problems.push(problem({
      code: 'rule-path-name-mismatch', file: doc.file, jsonPath: '/name',
      message: `"name" is ${JSON.stringify(server.name)} but the file is in the folder of ${JSON.stringify(doc.pathName)}`,
      hint: `Set "name" to ${JSON.stringify(doc.pathName)}, or move the file to ${right}.`,
    }));
  }
  if (typeof server.version === 'string' && server.version !== doc.pathVersion) {
    problems.push(problem({
      code: 'rule-path-version-mismatch', file: doc.file, jsonPath: '/version',
      message: `"version" is ${JSON.stringify(server.version)} but the file is in the folder ${JSON.stringify(doc.pathVersion)}`,
      hint: `Set "version" to ${JSON.stringify(doc.pathVersion)}, or rename the folder so the file is at ${right}.`,
    }));
  }
  return problems;
}
