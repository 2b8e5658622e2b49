// What a review bundle keeps from the reviewer. A bundle never drops code: only a file that is a
// secret by its name AND whose content is data of that kind (a dotenv file of KEY=VALUE lines, a
// key or certificate that parses as one, a credentials file that is only data) is left out whole,
// listed with its name and size. Everything else is shown, with secret-looking values masked in
// place (see mask.ts): a `-----BEGIN PRIVATE KEY-----` in a comment hides nothing next to it.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';

/** The kinds of secret file a name can say, and what to call each. */
export type SecretFileKind = 'dotenv' | 'key' | 'ssh-key' | 'credentials';

const SECRET_NAMES: [RegExp, SecretFileKind, string][] = [
  [/^\.env($|\.)/i, 'dotenv', 'an environment file (.env*)'],
  [/\.(pem|key|p12|pfx|p8|jks|keystore|mobileprovision|crt|cer)$/i, 'key', 'a key or certificate file'],
  [/^id_(rsa|dsa|ecdsa|ed25519)$/, 'ssh-key', 'an SSH private key'],
  [/^\.(npmrc|netrc|pgpass|git-credentials)$/, 'credentials', 'a credentials file'],
  [/^(credentials|secrets?)\.(json|ya?ml|toml)$/i, 'credentials', 'a credentials file'],
];

/** What a path's last segment says it is, or undefined for an ordinary name. */
export function secretName(rel: string): { kind: SecretFileKind; what: string } | undefined {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  for (const [re, kind, what] of SECRET_NAMES) if (re.test(name)) return { kind, what };
  return undefined;
}

/** Content larger than this is never "only data": a key, a certificate or a dotenv file is small. */
export const MAX_SECRET_FILE_BYTES = 256 * 1024;

/** The text of `content` when it is UTF-8 text (no NUL), else undefined. */
function asText(content: Buffer): string | undefined {
  if (content.includes(0)) return undefined;
  const text = content.toString('utf8');
  return text.includes('\uFFFD') ? undefined : text;
}

const BLANK_OR_COMMENT = /^\s*(#.*)?$/;
const DOTENV_LINE = /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=/;

/**
 * Whether every line is blank, a comment or KEY=VALUE (a value in double quotes may span lines,
 * as dotenv allows). A line of code anywhere makes it not a dotenv file.
 */
export function isDotenvData(text: string): boolean {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (BLANK_OR_COMMENT.test(line)) continue;
    if (!DOTENV_LINE.test(line)) return false;
    const value = line.slice(line.indexOf('=') + 1).trim();
    const quote = value[0];
    if (quote !== '"' && quote !== "'" && quote !== '`') {
      // Unquoted: a value, then maybe a comment; no shell syntax that would make it a script.
      if (/[;&|<>$`(){}]/.test(value.replace(/\s#.*$/, ''))) return false;
      continue;
    }
    // Quoted: it closes on this line (then only a comment may follow), or on a later one.
    let rest = value.slice(1);
    for (;;) {
      const end = rest.indexOf(quote);
      if (end >= 0) {
        if (!/^\s*(#.*)?$/.test(rest.slice(end + 1))) return false;
        break;
      }
      if (quote !== '"' || ++i >= lines.length) return false;
      rest = lines[i]!;
    }
  }
  return true;
}

const PEM_BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;
const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;
const PEM_HEADER = /^[A-Za-z-]+: .*$/;

/** Whether the text is only PEM blocks (with their RFC 1421 headers) and blank lines. */
export function isPemContainer(text: string): boolean {
  let label: string | null = null;
  let blocks = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (label === null) {
      if (!line) continue;
      const m = PEM_BEGIN.exec(line);
      if (!m) return false;
      label = m[1]!;
      continue;
    }
    if (line === `-----END ${label}-----`) { label = null; blocks++; continue; }
    if (!line || BASE64_LINE.test(line) || PEM_HEADER.test(line)) continue;
    return false;
  }
  return label === null && blocks > 0;
}

/** Whether node:crypto reads the bytes as a DER private key, public key or certificate. */
function parsesAsKey(content: Buffer): boolean {
  const tries: (() => unknown)[] = [
    () => createPrivateKey({ key: content, format: 'der', type: 'pkcs8' }),
    () => createPrivateKey({ key: content, format: 'der', type: 'pkcs1' }),
    () => createPrivateKey({ key: content, format: 'der', type: 'sec1' }),
    () => createPublicKey({ key: content, format: 'der', type: 'spki' }),
    () => new X509Certificate(content),
  ];
  for (const t of tries) {
    try {
      t();
      return true;
    } catch { /* not this one */ }
  }
  return false;
}

/** Configuration data: every line blank, a comment, a [section], `key = value`, `key: value` or a list item. */
function isConfigData(text: string): boolean {
  return text.split(/\r?\n/).every((l) => /^\s*([#;].*)?$/.test(l) || /^\s*\[[^\]]+\]\s*$/.test(l) || /^\s*[A-Za-z0-9_.@/:"'-]+\s*[:=]/.test(l) || /^\s+-\s/.test(l) || /^\s*-\s/.test(l));
}

/** .netrc: machine/login/password/account/default tokens only (no macdef: a macro is code). */
function isNetrcData(text: string): boolean {
  const words = text.split(/\s+/).filter(Boolean);
  const keys = new Set(['machine', 'login', 'password', 'account', 'default', 'port']);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!keys.has(w)) return false;
    if (w !== 'default') i++;
  }
  return true;
}

/** Whether a file named as a secret of `kind` (called `rel`) holds only data of that kind. */
export function isSecretData(kind: SecretFileKind, rel: string, content: Buffer): boolean {
  if (content.length > MAX_SECRET_FILE_BYTES) return false;
  const text = asText(content);
  // Text must be PEM blocks alone (node:crypto would also read a key followed by a script);
  // binary content must parse as DER.
  if (kind === 'key' || kind === 'ssh-key') return text !== undefined ? isPemContainer(text) : parsesAsKey(content);
  if (text === undefined) return false;
  if (kind === 'dotenv') return isDotenvData(text);
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  if (name.endsWith('.json')) {
    try {
      const v: unknown = JSON.parse(text);
      return typeof v === 'object' && v !== null;
    } catch {
      return false;
    }
  }
  if (name === '.netrc') return isNetrcData(text);
  if (name === '.git-credentials') return text.split(/\r?\n/).every((l) => !l.trim() || /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(l.trim()));
  if (name === '.pgpass') return text.split(/\r?\n/).every((l) => !l.trim() || l.startsWith('#') || /^([^:\s]*:){4}\S*$/.test(l.trim()));
  return isConfigData(text);
}

/** Secret-looking values in content: the pattern, and what to call it (never the match itself). */
export const SECRET_VALUES: [RegExp, string][] = [
  [/\bAKIA[0-9A-Z]{16}\b/g, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/g, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/g, 'a GitHub token'],
  [/\bsk-(proj-|ant-)?[A-Za-z0-9_-]{32,}\b/g, 'an API key (sk-…)'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, 'a Slack token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, 'a Google API key'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/g, 'a GitLab token'],
];
