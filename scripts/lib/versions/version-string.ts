// What a server version may not be, because it becomes a URL path segment and a file name: the one place both the
// build (entries/load.ts, which refuses to write such a registry) and validation (validate/rules/server-json.ts)
// ask, so the two never disagree.

/** The path `/versions/latest` is the alias for the newest version: a version of that name would be shadowed. */
export const RESERVED_VERSION = 'latest';

/**
 * Extensions that make a file host serve the version's file as something a browser renders or runs on the
 * registry's origin (markup, script, style, plug-ins), or that a web server may execute. The build writes a
 * version's detail as `<version>.json`, but the static-host layout (deploy/static-host.ts) puts it at
 * `…/versions/<version>`, typed by the host from its extension. Compared without case: hosts map `.HTML` too.
 */
export const WEB_FILE_EXTENSIONS = [
  // markup a browser renders, with its scripts
  'htm', 'html', 'xht', 'xhtml', 'shtm', 'shtml', 'stm', 'phtml', 'mht', 'mhtml', 'hta', 'svg', 'svgz',
  'xml', 'xsl', 'xslt', 'rss', 'atom', 'rdf',
  // script, style, code and plug-ins
  'js', 'mjs', 'cjs', 'jsx', 'css', 'wasm', 'swf', 'appcache', 'manifest', 'webmanifest',
  // server-side pages some web servers execute
  'php', 'php3', 'php4', 'php5', 'php7', 'phps', 'phar', 'pht', 'asp', 'aspx', 'ashx', 'asmx', 'cfm', 'jsp', 'jspx', 'cgi', 'pl',
] as const;

const WEB_EXTENSION = new RegExp(`\\.(${WEB_FILE_EXTENSIONS.join('|')})$`, 'i');

/**
 * Characters that render as nothing, or reorder the text around them: every format character (Unicode category
 * Cf: the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E,
 * U+200F and U+061C, zero-width spaces and joiners, U+FEFF, soft hyphen, tags), control characters (Cc), and the
 * blank fillers that are letters by category (Hangul fillers, braille blank, combining grapheme joiner).
 */
const HIDDEN_CHARACTER = /[\p{Cf}\p{Cc}\u034F\u115F\u1160\u2800\u3164\uFFA0]/u;
const HIDDEN_CHARACTERS = /[\p{Cf}\p{Cc}\u034F\u115F\u1160\u2800\u3164\uFFA0]/gu;

export type VersionStringCode = 'rule-version-latest' | 'rule-version-web-extension' | 'rule-version-hidden-character';

export interface VersionStringFinding {
  code: VersionStringCode;
  message: string;
  hint: string;
}

const codePoint = (c: string): string => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** A version quoted for a message, its hidden characters written as `\u{…}` so the message cannot be reordered. */
export function showVersion(version: string): string {
  return JSON.stringify(version).replace(HIDDEN_CHARACTERS, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/** The web file extension a version ends with (lower case), if any. */
export function webFileExtension(version: string): string | undefined {
  return WEB_EXTENSION.exec(version)?.[1]?.toLowerCase();
}

/** The hidden characters of a version, as `U+XXXX`, in order of appearance and without repeats. */
export function hiddenCharacters(text: string): string[] {
  return [...new Set((text.match(HIDDEN_CHARACTERS) ?? []).map(codePoint))];
}

/** Everything wrong with a server version as a URL segment and file name; empty when it is fine. */
export function checkVersionString(version: string): VersionStringFinding[] {
  const findings: VersionStringFinding[] = [];
  if (version === RESERVED_VERSION) {
    findings.push({
      code: 'rule-version-latest',
      message: 'server version "latest" is reserved and cannot be used: a registry entry describes one exact release, and /versions/latest is the alias for the newest one',
      hint: 'Set it to the exact version you release, e.g. "1.0.0".',
    });
  }
  const extension = webFileExtension(version);
  if (extension) {
    findings.push({
      code: 'rule-version-web-extension',
      message: `server version ${showVersion(version)} ends with ".${extension}": static hosts serve …/versions/<version> by its extension, as a page or script on the registry's web site`,
      hint: `Use a version that does not end with a web file extension, e.g. ${showVersion(version.slice(0, -extension.length - 1) || '1.0.0')} or a semantic version such as "1.0.0".`,
    });
  }
  if (HIDDEN_CHARACTER.test(version)) {
    findings.push({
      code: 'rule-version-hidden-character',
      message: `server version ${showVersion(version)} contains ${hiddenCharacters(version).join(', ')}: invisible or text-reordering characters make a version look like another one`,
      hint: 'Use only visible characters; semantic versions such as 1.2.3 are recommended. Retype the version rather than copying it.',
    });
  }
  return findings;
}
