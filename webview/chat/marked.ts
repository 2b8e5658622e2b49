// Markdown to an HTML string, the chat's way: raw HTML in the source is shown as text, never
// parsed; links carry no href (the view does not navigate); images only from data: URLs; code
// blocks keep their exact text. The string still goes through DOMPurify before it reaches the DOM
// (see markdown.ts). Pure: no DOM, so the block splitter can be tested against it under Node.
import { Marked } from 'marked';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const SAFE_LINK = /^(?:https?:|mailto:)/i;
const DATA_IMAGE = /^data:image\/(?:png|jpe?g|gif|webp|bmp|svg\+xml)[;,]/i;

const md = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    code({ text, lang }) {
      const language = (lang ?? '').match(/^\S*/)?.[0] ?? '';
      const cls = language ? ` class="language-${escapeHtml(language)}"` : '';
      return `<pre><code${cls}>${escapeHtml(text)}</code></pre>\n`;
    },
    link({ href, tokens }) {
      const title = SAFE_LINK.test(href) ? ` title="${escapeHtml(href)}"` : '';
      return `<a class="md-link"${title}>${this.parser.parseInline(tokens)}</a>`;
    },
    image({ href, text }) {
      if (DATA_IMAGE.test(href)) return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}">`;
      return `<span class="md-image-blocked" title="Remote images are not loaded">[image${text ? `: ${escapeHtml(text)}` : ''}]</span>`;
    },
  },
});

/** Markdown source to (unsanitized) HTML. */
export function markdownToHtml(src: string): string {
  return md.parse(src, { async: false });
}
