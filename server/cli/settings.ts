// The CLI honours the same torbit.dataDir a person set in VS Code for this workspace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { describeZodError } from '../protocol';

const WorkspaceSettings = z.object({ 'torbit.dataDir': z.string().optional() }).passthrough();

export function readDataDirSetting(workspace: string): string {
  const file = path.join(workspace, '.vscode', 'settings.json');
  if (!fs.existsSync(file)) return '';
  const errors: ParseError[] = [];
  const raw: unknown = parse(fs.readFileSync(file, 'utf8'), errors, { allowTrailingComma: true });
  if (errors.length) throw new UsageError(`${file}: ${printParseErrorCode(errors[0]!.error)} at offset ${errors[0]!.offset}`);
  const parsed = WorkspaceSettings.safeParse(raw ?? {});
  if (!parsed.success) throw new UsageError(`${file}: ${describeZodError(parsed.error)}`);
  return parsed.data['torbit.dataDir'] ?? '';
}

/** A mistake in how the CLI was called or configured (exit code 2). */
export class UsageError extends Error {}
