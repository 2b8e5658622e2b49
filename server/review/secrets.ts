// What never goes into a review bundle: files whose names say they hold secrets, and files whose
// diff contains one. They are listed as redacted, with the reason, and nothing of their content.

/** Names (the last path segment) of secret files. */
const SECRET_NAMES: [RegExp, string][] = [
  [/^\.env($|\.)/i, 'an environment file (.env*)'],
  [/\.(pem|key|p12|pfx|p8|jks|keystore|mobileprovision)$/i, 'a key or certificate file'],
  [/^id_(rsa|dsa|ecdsa|ed25519)$/, 'an SSH private key'],
  [/^\.(npmrc|netrc|pgpass|git-credentials)$/, 'a credentials file'],
  [/^(credentials|secrets?)\.(json|ya?ml|toml)$/i, 'a credentials file'],
];

/** Secrets found in content: the pattern, and what to call it (never the match itself). */
const SECRET_CONTENT: [RegExp, string][] = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/, 'a private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/, 'a GitHub token'],
  [/\bsk-(proj-|ant-)?[A-Za-z0-9_-]{32,}\b/, 'an API key (sk-…)'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/, 'a GitLab token'],
];

/** Why a path is a secret file, or undefined. */
export function secretPath(rel: string): string | undefined {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  for (const [re, why] of SECRET_NAMES) if (re.test(name)) return why;
  return undefined;
}

/** Why a line (of a diff) holds a secret, or undefined. */
export function secretIn(line: string): string | undefined {
  for (const [re, why] of SECRET_CONTENT) if (re.test(line)) return why;
  return undefined;
}
