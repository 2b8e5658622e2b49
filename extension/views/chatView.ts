// The Chat view: the prompt box and the conversation.
import type { FromWebviewMessage } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { WebviewHost } from './host';

export class ChatView extends WebviewHost {
  static readonly id = 'torbit.chat';

  constructor(ctx: Ctx) {
    super(ctx, 'chat', 'Torbit Chat');
  }

  protected handle(msg: Exclude<FromWebviewMessage, { type: 'ready' | 'runCommand' }>): void {
    if (msg.type === 'prompt') {
      // The agent loop is not part of this build yet: say so plainly rather than pretend.
      this.ctx.log.info(`prompt received (${msg.text.length} characters); no model provider is available in this build`);
      this.post({ type: 'notice', level: 'warning', text: 'No model is connected in this build of Torbit yet, so nothing was sent.' });
    }
  }
}
