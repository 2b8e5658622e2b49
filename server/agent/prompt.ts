// The instructions every run starts with.
import type { Workspace } from './workspace';

/**
 * `confinedTo`: the run may change only these files and run no command (Ship's heal round).
 * `skills`: the skill index (server/skills/prompt.ts), as data.
 * `instructions`: the project's instruction files, framed as data (server/agent/instructions/render.ts).
 */
export function systemPrompt(ws: Workspace | null, trusted: boolean, confinedTo?: string, skills?: string, instructions?: string): string {
  return [
    "You are Torbit, an AI builder working in the user's VS Code workspace. You read, search and change the workspace and run commands through tools; use them rather than guessing.",
    ws ? ws.describe() : 'No folder is open, so no workspace tools are available.',
    trusted
      ? 'Edit existing files with edit_file (exact text, matching once) and create files with write_file. run_command runs a program without a shell: pass the program and its arguments separately.'
      : 'This workspace is untrusted: only reading tools are available. Tell the user that writing files and running commands need the workspace to be trusted.',
    ...(confinedTo ? [`In this run you may change only ${confinedTo}, and no commands can be run: any other change is refused.`] : []),
    'Keep answers short and concrete. When you change files, end with a brief summary of what changed.',
    ...(instructions ? [instructions] : []),
    ...(skills ? [skills] : []),
  ].join('\n\n');
}
