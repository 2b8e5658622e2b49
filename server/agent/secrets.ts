// Kept for the agent's imports: the registry itself is server/secrets.ts.
export { KEY_ENV, GENERIC_KEY_ENV, apiKeyFor, commandEnv, Redactor } from '../secrets';
