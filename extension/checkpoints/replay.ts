// "Torbit: Replay Turn": re-runs a turn of the chat on screen from its checkpoint (in a scratch
// copy, the workspace is not touched) and shows the report as a Markdown document.
import * as vscode from 'vscode';
import { rpc, type ReplayReport } from '../../server/protocol';
import type { Ctx } from '../ctx';

function report(r: ReplayReport, title: string): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 200);
  const call = (x: ReplayReport['toolCalls'][number]['recorded']) => (x ? cell(`${x.status}: ${x.result}`) : '—');
  return [
    `# Replay of "${title}" (${r.mode})`, '',
    r.same ? '**The replay reproduces the turn.**' : '**The replay differs from the recording.**', '',
    `From checkpoint #${r.checkpointId}, in a scratch copy of the workspace.`, '',
    '| Tool call | Recorded | Replayed | |', '| --- | --- | --- | --- |',
    ...r.toolCalls.map((c) => `| ${c.tool} \`${c.toolCallId}\` | ${call(c.recorded)} | ${call(c.replayed)} | ${c.same ? 'same' : c.recorded?.output !== c.replayed?.output ? '**differs** (output)' : '**differs**'} |`),
    '',
    !r.filesCompared ? 'Files: not compared (the turn has no after-turn checkpoint).'
      : r.files.length ? `Files that differ from after the recorded turn:\n\n${r.files.map((f) => `- \`${f.path}\``).join('\n')}` : 'Files: the same as after the recorded turn.',
    '', `Text: ${r.text.same ? 'the same' : 'differs'}.`,
  ].join('\n');
}

export async function replayTurnCommand(ctx: Ctx, turnArg?: unknown): Promise<void> {
  let turnId = typeof turnArg === 'string' && turnArg ? turnArg : undefined;
  let title = 'the turn';
  if (!turnId) {
    const sessionId = ctx.chat?.currentSession;
    if (!sessionId) {
      void vscode.window.showInformationMessage('Torbit: open a chat session first: Replay Turn replays one of its turns.');
      return;
    }
    const { turns } = await ctx.request(rpc.sessionGet, { sessionId });
    const pick = await vscode.window.showQuickPick(turns.filter((t) => t.status !== 'running').reverse().map((t, i) => ({ label: t.userText.split('\n')[0] ?? '', description: `turn ${turns.length - i} · ${t.status}`, id: t.id })),
      { title: 'Torbit: Replay Turn', placeHolder: 'Which turn?' });
    if (!pick) return;
    turnId = pick.id;
    title = pick.label;
  }
  const mode = await vscode.window.showQuickPick([
    { label: 'Deterministic', mode: 'deterministic' as const, detail: 'Feed back what the model answered, run the tool calls again, compare the results' },
    { label: 'Live', mode: 'live' as const, detail: 'Ask the model again (commands do not run)' },
  ], { title: 'Torbit: Replay Turn' });
  if (!mode) return;
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Torbit: replaying the turn…' },
    () => ctx.request(rpc.replayTurn, { turnId: turnId, mode: mode.mode }));
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: report(r, title) });
  await vscode.window.showTextDocument(doc, { preview: true });
}
