// Writes media/policy.schema.json from the policy's zod schema (the one the backend enforces), so
// editors validate and complete .torbit/policy.json. A unit test fails when the file is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { policyJsonSchema } from '../server/trust/policySchema';

const out = path.join(__dirname, '..', 'media', 'policy.schema.json');
fs.writeFileSync(out, policyJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), out)}`);
