// The only links from eas-cli's output Torbit will hand to the browser: https on Expo's own hosts
// (expo.dev and its subdomains, which is where eas-cli's build pages and artifacts live). eas-cli
// may be the workspace's own node_modules/.bin/eas, so what it prints is checked, not trusted.
// No vscode import: the backend (easOutput) and the extension (right before openExternal) share it.
import { z } from 'zod';

export const EXPO_HOST = 'expo.dev';
const MAX_LENGTH = 2048;

export type ExpoUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

/** Parses a link eas-cli printed; ok with its normalised form only when it is https on expo.dev or a subdomain. */
export function checkExpoUrl(raw: string): ExpoUrlCheck {
  const refuse = (why: string): ExpoUrlCheck => ({ ok: false, reason: `${JSON.stringify(raw.slice(0, 200))} is not an Expo link: ${why}` });
  if (raw.length > MAX_LENGTH) return refuse(`longer than ${MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a URL');
  }
  if (url.protocol !== 'https:') return refuse(`${url.protocol} is not https:`);
  // https://expo.dev@evil.example is a link to evil.example: a user name or password never belongs in a build link.
  if (url.username || url.password) return refuse('it carries a user name or password');
  if (url.port) return refuse(`it names port ${url.port}`);
  // hostname is lower-cased and percent-decoded by the parser: compare the host the browser would visit.
  if (url.hostname !== EXPO_HOST && !url.hostname.endsWith(`.${EXPO_HOST}`)) return refuse(`its host ${url.hostname} is not ${EXPO_HOST} or a subdomain of it`);
  return { ok: true, url: url.href };
}

/** An Expo link, normalised; anything else fails validation with the reason. */
export const ExpoUrl = z.string().transform((raw, ctx) => {
  const c = checkExpoUrl(raw);
  if (c.ok) return c.url;
  ctx.addIssue({ code: 'custom', message: c.reason });
  return z.NEVER;
});

/** For eas-cli's optional link fields: a link that is not an Expo link is left out, so it never leaves the backend. */
export const OptionalExpoUrl = ExpoUrl.optional().catch(undefined);
