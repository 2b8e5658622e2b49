// Must be imported before anything that builds zod schemas (server/protocol): zod probes for
// eval with `new Function` when a schema is built, which the webview's CSP reports as a
// violation (script-src 'unsafe-eval' is not allowed). jitless skips the probe and the JIT.
import { config } from 'zod';

config({ jitless: true });
