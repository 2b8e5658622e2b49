// Environment modes: dev (the default), staging, production. Outside dev Torbit refuses to start
// without the audit signing secret, so production evidence is never left unsigned by accident.
import * as z from 'zod';
import { LEGACY_SECRET_ENV, SECRET_ENV } from './audit/keys';

export const TorbitEnvironment = z.enum(['dev', 'staging', 'production']);
export type TorbitEnvironment = z.infer<typeof TorbitEnvironment>;

/** TORBIT_ENV, else the torbit.environment setting, else dev. An unknown value is an error. */
export function resolveEnvironment(env: NodeJS.ProcessEnv, setting = ''): TorbitEnvironment {
  const raw = env.TORBIT_ENV?.trim() || setting.trim() || 'dev';
  const r = TorbitEnvironment.safeParse(raw);
  if (!r.success) throw new Error(`TORBIT_ENV / torbit.environment is "${raw}"; use dev, staging or production`);
  return r.data;
}

/** Why Torbit must not start in this environment, or undefined when it may. */
export function environmentProblem(mode: TorbitEnvironment, env: NodeJS.ProcessEnv): string | undefined {
  if (mode === 'dev') return undefined;
  if (!env[SECRET_ENV] && !env[LEGACY_SECRET_ENV]) {
    return `Torbit is in ${mode} mode but ${SECRET_ENV} is not set: audit bundles would not carry the operators' HMAC signature. Set it (or run in dev).`;
  }
  return undefined;
}
