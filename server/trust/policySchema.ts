// The policy's JSON schema (draft 7, which VS Code's JSON support reads), from the zod schema.
import * as z from 'zod';
import { Policy } from './policy';

export function policyJsonSchema(): string {
  const schema = z.toJSONSchema(Policy, { target: 'draft-7', io: 'input' });
  return `${JSON.stringify({ ...schema, title: 'Torbit policy (.torbit/policy.json)' }, null, 2)}\n`;
}
