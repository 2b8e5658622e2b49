// Markdown files with YAML front matter (custom commands, rules, Agent Skills): the one parser of
// the `---` block at a file's top. These files come from the repository (or the person's own
// folders), so the YAML is parsed as data only (no custom tags, no aliases blown up into a
// billion laughs), and what a caller needs from it is then checked with its own zod schema.
import { parse } from 'yaml';

export interface FrontMatter {
  /** The parsed block: {} when the file has none. */
  data: unknown;
  /** The Markdown after the block. */
  body: string;
}

export type FrontMatterResult = { ok: true; value: FrontMatter } | { ok: false; error: string };

const BLOCK = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/**
 * YAML text as data (YAML 1.2 core schema: no custom tags; aliases bounded, so no billion laughs;
 * duplicate keys refused). Throws with the parser's message.
 */
export function parseYaml(text: string): unknown {
  return parse(text, { maxAliasCount: 16, prettyErrors: true, uniqueKeys: true });
}

/** The `---` block at the top of `text` (a BOM before it is dropped) and what follows; undefined without a closed block. */
export function frontMatterBlock(text: string): { yaml: string; body: string } | undefined {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const m = BLOCK.exec(src);
  return m ? { yaml: m[1]!, body: src.slice(m[0].length) } : undefined;
}

/** Splits `text` into its front matter and body; a block that is not YAML is an error naming the line. */
export function parseFrontMatter(text: string): FrontMatterResult {
  const block = frontMatterBlock(text);
  if (!block) {
    const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
    if (/^---[ \t]*\r?\n/.test(src)) return { ok: false, error: 'the front matter starts with --- but has no closing --- line' };
    return { ok: true, value: { data: {}, body: src } };
  }
  try {
    const data: unknown = parseYaml(block.yaml) ?? {};
    return { ok: true, value: { data, body: block.body } };
  } catch (err) {
    return { ok: false, error: `the front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
  }
}
