// The backend logs through this interface: to the extension's "Torbit" channel when run as the
// language server, to stderr (when asked) from the CLI.
export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** The CLI's logger: silent unless --verbose, since the CLI ends every failure with its own one-line reason. */
export function stderrLogger(verbose: boolean): Logger {
  if (!verbose) return silentLogger;
  const out = (level: string) => (msg: string) => process.stderr.write(`[${level}] ${msg}\n`);
  return { error: out('error'), warn: out('warn'), info: out('info'), debug: out('debug') };
}
