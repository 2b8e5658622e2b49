// Writes docs/cli.md from the CLI's own command and exit-code tables: node --import tsx scripts/cliReference.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliReference } from '../server/cli/reference';

const file = path.join(__dirname, '..', 'docs', 'cli.md');
fs.writeFileSync(file, cliReference());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
