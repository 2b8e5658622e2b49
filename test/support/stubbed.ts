// The frame of a test that spawns backends against the OpenAI-compatible stub: a fresh stub for
// each test, then every backend the test spawned shut down after it, then the stub closed.
import { startOpenAIStub, type OpenAIStub } from '../stubs/openaiStub';
import { shutdown, type Spawned } from './server';

export interface Stubbed {
  /** This test's stub (started before it). */
  readonly stub: OpenAIStub;
  /** Backends to shut down after the test: push each one spawned. */
  readonly live: Spawned[];
}

/** Registers the beforeEach/afterEach pair in the calling describe block. */
export function stubbedBackends(): Stubbed {
  const live: Spawned[] = [];
  let current: OpenAIStub | undefined;
  beforeEach(async () => { current = await startOpenAIStub(); });
  afterEach(async () => {
    for (const s of live.splice(0)) await shutdown(s);
    await current?.close();
  });
  return {
    get stub(): OpenAIStub {
      if (!current) throw new Error('the stub starts before each test');
      return current;
    },
    live,
  };
}
