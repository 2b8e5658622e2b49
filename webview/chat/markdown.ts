// Markdown into the DOM: sanitized by DOMPurify (defence in depth behind marked.ts, which already
// shows raw HTML as text), code blocks given a Copy button, and a streaming renderer that renders
// each finished block once and re-renders only the unfinished tail on every chunk.
import DOMPurify from 'dompurify';
import { h } from '../common/api';
import { BlockSplitter } from './blocks';
import { markdownToHtml } from './marked';

const DATA_IMAGE = /^data:image\//i;

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') {
    // The view never navigates: no href, no target.
    node.removeAttribute('href');
    node.removeAttribute('target');
    node.removeAttribute('xlink:href');
  } else if (node.nodeName === 'IMG') {
    const src = node.getAttribute('src') ?? '';
    if (!DATA_IMAGE.test(src)) node.removeAttribute('src');
    node.removeAttribute('srcset');
  }
});

const PURIFY = {
  RETURN_DOM_FRAGMENT: true as const,
  FORBID_TAGS: ['style', 'form', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'action', 'formaction'],
  ALLOW_DATA_ATTR: false,
};

/** Sanitized DOM for an HTML string from markdownToHtml, with its code blocks decorated. */
export function htmlToFragment(html: string): DocumentFragment {
  const frag = DOMPurify.sanitize(html, PURIFY);
  for (const pre of Array.from(frag.querySelectorAll('pre'))) decorateCode(pre);
  return frag;
}

export function renderMarkdown(src: string): DocumentFragment {
  return htmlToFragment(markdownToHtml(src));
}

/** Wraps a <pre> in a block with its language and a Copy button (the click is handled by the view). */
function decorateCode(pre: HTMLPreElement): void {
  const lang = /(?:^|\s)language-(\S+)/.exec(pre.querySelector('code')?.className ?? '')?.[1] ?? '';
  const copy = h('button', { type: 'button', class: 'icon-button copy-code', 'data-testid': 'copy-code', title: 'Copy code', 'aria-label': 'Copy code' },
    h('span', { class: 'codicon codicon-copy', 'aria-hidden': 'true' }));
  const block = h('div', { class: 'code-block' }, h('div', { class: 'code-toolbar' }, h('span', { class: 'code-lang' }, lang), copy));
  pre.replaceWith(block);
  block.append(pre);
}

/** The exact text of the code block a Copy button belongs to. */
export function codeOfCopyButton(button: Element): string | null {
  return button.closest('.code-block')?.querySelector('pre > code')?.textContent ?? null;
}

/**
 * One streamed markdown text in one container. Finished blocks are appended once; the tail's nodes
 * (everything after the finished blocks) are replaced on each chunk. finish() re-renders the whole
 * text once if block-wise rendering differed from rendering it whole (e.g. a link defined later).
 */
export class MarkdownStream {
  private readonly splitter = new BlockSplitter();
  /** The HTML of the finished blocks, concatenated: to compare with a whole render at the end. */
  private committedHtml = '';
  private tailHtml = '';
  /** How many child nodes of the container belong to finished blocks. */
  private committedNodes = 0;

  constructor(readonly el: HTMLElement) {}

  get text(): string {
    return this.splitter.text;
  }

  append(chunk: string): void {
    if (!chunk) return;
    for (const block of this.splitter.append(chunk)) {
      this.dropTail();
      const html = markdownToHtml(block);
      this.committedHtml += html;
      this.el.append(htmlToFragment(html));
      this.committedNodes = this.el.childNodes.length;
    }
    this.dropTail();
    this.tailHtml = markdownToHtml(this.splitter.tail);
    this.el.append(htmlToFragment(this.tailHtml));
  }

  /** The text is complete: make sure the DOM is exactly the whole text rendered at once. */
  finish(): void {
    const whole = markdownToHtml(this.splitter.text);
    if (whole === this.committedHtml + this.tailHtml) return;
    this.el.replaceChildren(htmlToFragment(whole));
    this.committedHtml = whole;
    this.tailHtml = '';
    this.committedNodes = this.el.childNodes.length;
  }

  private dropTail(): void {
    while (this.el.childNodes.length > this.committedNodes) this.el.lastChild!.remove();
  }
}
