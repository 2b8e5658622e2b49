// The Governance view: the backend's state and data location (policy and audit build on it).
import type { Ctx } from '../ctx';
import { WebviewHost } from './host';

export class GovernanceView extends WebviewHost {
  static readonly id = 'torbit.governance';

  constructor(ctx: Ctx) {
    super(ctx, 'governance', 'Torbit Governance');
  }

  protected handle(): void {
    // No governance-specific messages yet: it only renders backend state and runs allow-listed commands.
  }
}
