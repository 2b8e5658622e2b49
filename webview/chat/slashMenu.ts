// The completion list under the chat input while the person types a command's name after `/`:
// built-in commands first, then the workspace's own (.torbit/commands). Arrow keys move, Tab or
// Enter takes the highlighted one (the input then reads `/name `, ready for its arguments),
// Escape closes. It only fills the input: sending stays the person's own Enter.
import type { SlashCommandView } from '../../server/protocol';
import { h } from '../common/api';

/** What the input holds while a name is being typed: `/` and the start of a name, nothing after it. */
const TYPING_NAME = /^\/([a-z0-9_-]*)$/;

export class SlashMenu {
  readonly element = h('div', { class: 'slash-menu', 'data-testid': 'slash-menu', role: 'listbox', 'aria-label': 'Commands', hidden: '' });
  private commands: SlashCommandView[] = [];
  private shown: SlashCommandView[] = [];
  private active = 0;

  constructor(private readonly accept: (text: string) => void) {
    this.element.addEventListener('mousedown', (e) => {
      // Before the input loses focus: take the clicked command.
      const item = (e.target as Element | null)?.closest<HTMLElement>('[data-testid="slash-item"]');
      if (!item) return;
      e.preventDefault();
      const c = this.shown.find((x) => x.name === item.dataset.name);
      if (c) this.take(c);
    });
  }

  setCommands(commands: SlashCommandView[]): void {
    this.commands = commands;
  }

  known(name: string): SlashCommandView | undefined {
    return this.commands.find((c) => c.name === name);
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  /** After each change of the input's text. */
  update(text: string): void {
    const m = TYPING_NAME.exec(text);
    this.shown = m ? this.commands.filter((c) => c.name.startsWith(m[1]!)) : [];
    this.active = Math.min(this.active, Math.max(0, this.shown.length - 1));
    this.render();
  }

  close(): void {
    this.shown = [];
    this.render();
  }

  /** Keys while the list is open; true when the key was the list's. */
  key(e: KeyboardEvent): boolean {
    if (!this.open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const n = this.shown.length;
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.render();
    } else if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      const c = this.shown[this.active];
      if (c) this.take(c);
    } else if (e.key === 'Escape') {
      this.close();
    } else return false;
    e.preventDefault();
    e.stopPropagation();
    return true;
  }

  private take(c: SlashCommandView): void {
    this.close();
    this.accept(`/${c.name} `);
  }

  private render(): void {
    this.element.replaceChildren(...this.shown.map((c, i) => h('div', {
      class: `slash-item${i === this.active ? ' active' : ''}`, role: 'option', 'aria-selected': String(i === this.active),
      'data-testid': 'slash-item', 'data-name': c.name, 'data-builtin': String(c.builtin),
    },
    h('span', { class: 'slash-name' }, `/${c.name}`),
    ...(c.argumentHint ? [h('span', { class: 'slash-hint' }, c.argumentHint)] : []),
    ...(c.description ? [h('span', { class: 'slash-description' }, c.description)] : []),
    ...(c.builtin ? [] : [h('span', { class: 'slash-source' }, 'workspace')]))));
    this.element.hidden = this.shown.length === 0;
  }
}
