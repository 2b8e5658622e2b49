// A stand-in model for trying Torbit without an API key: an OpenAI-compatible server on loopback
// that answers every prompt by writing a small note into the workspace (a real write_file tool
// call, so the card, the diff and the file on disk all show) and then summarizing what it did.
import * as z from 'zod';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub, type RecordedRequest, type StubResponse } from '../../test/stubs/openaiStub';

/** The part of a chat-completions request the demo reads; anything else in it is ignored. */
const ChatRequest = z.object({ messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })) });

function messagesOf(req: RecordedRequest): z.infer<typeof ChatRequest>['messages'] {
  const parsed = ChatRequest.safeParse(req.body);
  return parsed.success ? parsed.data.messages : [];
}

function lastUserText(req: RecordedRequest): string {
  const msgs = messagesOf(req);
  const user = [...msgs].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : 'your request';
}

function respond(req: RecordedRequest): StubResponse {
  const msgs = messagesOf(req);
  const prompt = lastUserText(req);
  const usage = { prompt_tokens: 400 + prompt.length, completion_tokens: 60 };
  const last = msgs.at(-1);
  if (last?.role === 'tool') {
    // The policy asks before an edit: the person approved the note, or did not.
    const refused = /denied|rejected|not approved/i.test(JSON.stringify(last));
    return {
      kind: 'stream', delayMs: 25, usage,
      chunks: textChunks(
        (refused
          ? 'You did not approve writing **torbit-demo.md**, so nothing changed.\n\n'
          : "I wrote **torbit-demo.md** with your request in it, once you approved it (open the card's *Diff* to see the change).\n\n")
        + 'This answer comes from Torbit\'s built-in **demo model**. To use a real one, run *Torbit: Set API Key* and pick a model above.', 40),
    };
  }
  const note = `# Torbit demo\n\nYou asked:\n\n> ${prompt.replace(/\n/g, '\n> ')}\n\nWritten by the demo model on ${new Date().toISOString()}.\n`;
  return { kind: 'stream', delayMs: 15, usage, chunks: toolCallChunks([{ id: `call_${Date.now()}`, name: 'write_file', args: { path: 'torbit-demo.md', content: note } }], 10) };
}

export async function startDemoModel(): Promise<OpenAIStub> {
  const stub = await startOpenAIStub();
  stub.respondWith(respond);
  return stub;
}
