// Numbers a turn's events, hands each to the sink at once (the relay is latency-sensitive), and
// persists them in order behind it: text is written in slices, so a crash loses at most a moment.
import type { ChatEvent, ChatEventParams, RunError, ToolCard, TurnInstructions, TurnStatus, Usage } from '../protocol';
import type { RecordedInstructions } from './instructions/record';
import type { ChatRepo } from '../store/chatRepo';
import type { Logger } from '../logger';

const TEXT_FLUSH_MS = 250;
const MAX_CARD_OUTPUT = 200_000;

export class TurnRecorder {
  private seq = 0;
  private nextPart = 0;
  private text: { idx: number; value: string } | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly outputs = new Map<string, string>();
  /** Tool calls whose execution started (the loop needs to know which calls never ran). */
  readonly ran = new Set<string>();

  constructor(
    private readonly repo: ChatRepo,
    readonly sessionId: string,
    readonly turnId: string,
    private readonly sink: (p: ChatEventParams) => void,
    private readonly log: Logger,
  ) {}

  private emit(event: ChatEvent): void {
    this.sink({ sessionId: this.sessionId, turnId: this.turnId, seq: this.seq++, event });
  }

  private write(fn: () => Promise<void>): void {
    this.writes = this.writes.then(fn).catch((err: Error) => this.log.error(`saving turn ${this.turnId}: ${err.message}`));
  }

  start(userText: string, model: string): void {
    this.emit({ type: 'turn-start', userText, model });
  }

  /** The instruction files shaping the turn (the whole list each time it changes): shown, and kept with their text. */
  instructions(view: TurnInstructions, recorded: RecordedInstructions): void {
    this.emit({ type: 'instructions', instructions: view });
    const json = JSON.stringify(recorded);
    this.write(() => this.repo.setInstructions(this.turnId, json));
  }

  textDelta(text: string): void {
    this.emit({ type: 'text-delta', text });
    if (!this.text) this.text = { idx: this.nextPart++, value: '' };
    this.text.value += text;
    this.flushTimer ??= setTimeout(() => this.flushText(), TEXT_FLUSH_MS);
  }

  private flushText(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const t = this.text;
    if (!t) return;
    const snapshot = t.value;
    this.write(() => this.repo.putTextPart(this.turnId, t.idx, snapshot));
  }

  toolStart(card: ToolCard, input: unknown): void {
    this.ran.add(card.toolCallId);
    this.flushText();
    this.text = undefined;
    const idx = this.nextPart++;
    this.emit({ type: 'tool-start', card });
    this.write(() => this.repo.startToolCall(this.turnId, idx, card, input));
  }

  toolUpdate(card: ToolCard): void {
    this.emit({ type: 'tool-update', card });
    this.write(() => this.repo.updateToolCall(card));
  }

  toolOutput(toolCallId: string, chunk: string): void {
    const prev = this.outputs.get(toolCallId) ?? '';
    if (prev.length < MAX_CARD_OUTPUT) this.outputs.set(toolCallId, prev + chunk.slice(0, MAX_CARD_OUTPUT - prev.length));
    this.emit({ type: 'tool-output', toolCallId, chunk });
  }

  toolEnd(card: ToolCard): void {
    const output = this.outputs.get(card.toolCallId);
    const full = output !== undefined ? { ...card, output } : card;
    this.emit({ type: 'tool-end', card });
    this.write(() => this.repo.endToolCall(full));
  }

  /** A call that never ran still gets its card, started and ended at once. */
  rejectedToolCall(card: ToolCard): void {
    this.toolStart({ ...card, status: 'running' }, null);
    this.toolEnd(card);
  }

  usage(step: Usage, turn: Usage, session: Usage, stepNo: number, model: string): void {
    this.emit({ type: 'usage', step, turn, session });
    this.write(() => this.repo.addUsage(this.sessionId, this.turnId, stepNo, model, step));
  }

  /** Ends the turn; resolves once everything is on disk. */
  async end(status: TurnStatus, error?: RunError): Promise<void> {
    this.flushText();
    this.emit({ type: 'turn-end', status, ...(error ? { error } : {}) });
    this.write(() => this.repo.endTurn(this.turnId, status, error));
    await this.writes;
  }

  /** Resolves when all writes so far are on disk. */
  settled(): Promise<void> {
    return this.writes;
  }
}
