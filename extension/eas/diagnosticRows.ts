// The rows of the Pipeline Diagnostics quick pick. A quick pick shows each label, description and
// detail on one line and cuts what does not fit with "…", and the fixes are sentences that name
// exactly what to set where: so a check's text is wrapped at word boundaries into rows of its own,
// each short enough to show whole. Plain data (no vscode import), so it is unit tested.
import { CHECK_MARK, type PipelineCheck } from '../../server/protocol';

/** Characters of a row's text that fit the quick pick's width (about 600 px) whole. */
export const ROW_CHARS = 72;

export interface DiagnosticRow {
  label: string;
  description?: string;
  /** The check a row belongs to (picking any of its rows acts on the check). */
  check: PipelineCheck['id'];
}

/** `text` in lines of at most `width` characters, broken between words (a longer word stands alone). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * One check as rows: its mark and title with what was found beside it when that fits, then what
 * was found (when it did not fit) and its fix, a row per line, as descriptions under the title.
 */
export function checkRows(c: PipelineCheck, width = ROW_CHARS): DiagnosticRow[] {
  const label = `${CHECK_MARK[c.state]} ${c.title}`;
  // The title's row holds what was found only if both fit on it whole.
  const besideTitle = c.detail.length + label.length + 2 <= width;
  const rows: DiagnosticRow[] = [{ label, ...(besideTitle && c.detail ? { description: c.detail } : {}), check: c.id }];
  const lines = [
    ...(besideTitle ? [] : wrapWords(c.detail, width)),
    ...(c.fix ? wrapWords(`Fix: ${c.fix}`, width) : []),
  ];
  for (const l of lines) rows.push({ label: '', description: l, check: c.id });
  return rows;
}
