// The webview's side of the message contract: typed posts out, validated messages in.
import { parseToWebview, type FromWebviewMessage, type ToWebviewMessage } from '../../server/protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  /** The view's own state, kept by VS Code while the view is hidden or reloaded. */
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(msg: FromWebviewMessage): void {
  api.postMessage(msg);
}

/** What the view kept with setState (its own data; the caller validates it, it may be stale). */
export function getState(): unknown {
  return api.getState();
}

export function setState(state: unknown): void {
  api.setState(state);
}

export function onMessage(handler: (msg: ToWebviewMessage) => void): void {
  window.addEventListener('message', (e: MessageEvent<unknown>) => {
    const parsed = parseToWebview(e.data);
    if (parsed.ok) handler(parsed.message);
    else console.error(`Torbit: ignored a malformed message from the extension: ${parsed.error}`);
  });
}

/** Creates an element with attributes and children; text is always set as text, never as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs?: Record<string, string>, ...children: (Node | string)[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Record<string, string>, ...children: (Node | string)[]): HTMLElement;
export function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}
