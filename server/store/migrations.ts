// Versioned schema migrations, applied in order at start. Append only: never edit a shipped one.
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'chat',
    sql: `
      CREATE TABLE sessions (
        id         TEXT PRIMARY KEY,
        title      TEXT NOT NULL,
        model      TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE turns (
        id            TEXT PRIMARY KEY,
        session_id    TEXT NOT NULL REFERENCES sessions(id),
        seq           INTEGER NOT NULL,
        user_text     TEXT NOT NULL,
        model         TEXT NOT NULL,
        status        TEXT NOT NULL,
        error_code    TEXT,
        error_message TEXT,
        error_action  TEXT,
        owner_pid     INTEGER NOT NULL,
        started_at    TEXT NOT NULL,
        ended_at      TEXT,
        UNIQUE (session_id, seq)
      ) STRICT;
      CREATE INDEX turns_status ON turns(status);
      -- What the turn showed, in order: text segments and tool cards.
      CREATE TABLE turn_parts (
        turn_id      TEXT NOT NULL REFERENCES turns(id),
        idx          INTEGER NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('text', 'tool')),
        text         TEXT,
        tool_call_id TEXT,
        PRIMARY KEY (turn_id, idx)
      ) STRICT;
      -- The model conversation (AI SDK ModelMessage JSON), replayed as context for later turns.
      CREATE TABLE messages (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        turn_id    TEXT NOT NULL REFERENCES turns(id),
        role       TEXT NOT NULL,
        content    TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX messages_session ON messages(session_id, id);
      CREATE TABLE tool_calls (
        id         TEXT PRIMARY KEY,
        turn_id    TEXT NOT NULL REFERENCES turns(id),
        tool       TEXT NOT NULL,
        input      TEXT NOT NULL,
        summary    TEXT NOT NULL,
        status     TEXT NOT NULL,
        result     TEXT,
        output     TEXT,
        change_id  INTEGER REFERENCES changes(id),
        open_path  TEXT,
        started_at TEXT NOT NULL,
        ended_at   TEXT
      ) STRICT;
      CREATE TABLE usage (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id    TEXT NOT NULL REFERENCES sessions(id),
        turn_id       TEXT NOT NULL REFERENCES turns(id),
        step          INTEGER NOT NULL,
        model         TEXT NOT NULL,
        input_tokens  INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd      REAL,
        created_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX usage_session ON usage(session_id);
      -- Every change a tool applied to the workspace, with what the file held before.
      CREATE TABLE changes (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id   TEXT,
        turn_id      TEXT,
        tool_call_id TEXT,
        path         TEXT NOT NULL,
        abs_path     TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('create', 'modify')),
        sha_before   TEXT,
        sha_after    TEXT NOT NULL,
        before_text  TEXT,
        applied_at   TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'audit',
    sql: `
      -- The audit log: hash-chained and append-only. body is the canonical JSON the hash covers.
      CREATE TABLE audit (
        seq        INTEGER PRIMARY KEY,
        ts         TEXT NOT NULL,
        kind       TEXT NOT NULL,
        actor      TEXT NOT NULL,
        session_id TEXT,
        turn_id    TEXT,
        body       TEXT NOT NULL,
        prev       TEXT NOT NULL,
        hash       TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE INDEX audit_session ON audit(session_id, seq);
      CREATE INDEX audit_ts ON audit(ts);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 4,
    name: 'checkpoints',
    sql: `
      -- A checkpoint: the workspace folders (commits in their shadow repositories), the deployment
      -- config and the session's conversation at one moment. manifest is JSON (checked on read).
      CREATE TABLE checkpoints (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        kind       TEXT NOT NULL CHECK (kind IN ('before-turn', 'after-turn', 'manual', 'before-rollback', 'after-rollback')),
        label      TEXT,
        session_id TEXT,
        turn_id    TEXT,
        created_at TEXT NOT NULL,
        manifest   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX checkpoints_turn ON checkpoints(turn_id);
      CREATE TABLE rollbacks (
        id            TEXT PRIMARY KEY,
        checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
        backup_id     INTEGER NOT NULL REFERENCES checkpoints(id),
        mode          TEXT NOT NULL CHECK (mode IN ('files', 'conversation', 'both')),
        summary       TEXT NOT NULL,
        started_at    TEXT NOT NULL,
        finished_at   TEXT NOT NULL
      ) STRICT;
      -- A turn a rollback took out of the conversation (kept, never deleted: audit and replay need it).
      ALTER TABLE turns ADD COLUMN hidden_by TEXT;
    `,
  },
  {
    version: 5,
    name: 'reviews',
    sql: `
      -- A model's review of a range: its verdict as JSON (checked on read), and the range and
      -- verdict in columns for finish and the push gate to find.
      CREATE TABLE reviews (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        repo       TEXT NOT NULL,
        range_from TEXT,
        range_to   TEXT NOT NULL,
        worktree   INTEGER NOT NULL CHECK (worktree IN (0, 1)),
        verdict    TEXT NOT NULL CHECK (verdict IN ('APPROVED', 'BLOCKED')),
        simulated  INTEGER NOT NULL CHECK (simulated IN (0, 1)),
        body       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX reviews_range ON reviews(repo, range_to);
    `,
  },
  {
    version: 6,
    name: 'background runs',
    sql: `
      -- A background run (an EAS build, a store submission, or both): the spec as JSON (checked on
      -- read), its state, and where it is at EAS, so polling resumes after a restart.
      CREATE TABLE background_runs (
        id                TEXT PRIMARY KEY,
        kind              TEXT NOT NULL CHECK (kind IN ('build', 'submit', 'build-submit')),
        folder            TEXT NOT NULL,
        spec              TEXT NOT NULL,
        state             TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
        phase             TEXT NOT NULL CHECK (phase IN ('build', 'submit')),
        attempt           INTEGER NOT NULL,
        max_attempts      INTEGER NOT NULL,
        build_id          TEXT,
        build_status      TEXT,
        build_url         TEXT,
        submission_id     TEXT,
        submission_status TEXT,
        seen              TEXT,
        detail            TEXT NOT NULL,
        error             TEXT,
        next_attempt_at   TEXT,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        progress_at       TEXT NOT NULL,
        finished_at       TEXT
      ) STRICT;
      CREATE INDEX background_runs_state ON background_runs(state);
      -- Product events (background_run.started, .retry_scheduled, .watchdog_marked_failed, …).
      CREATE TABLE product_events (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        ts      TEXT NOT NULL,
        name    TEXT NOT NULL,
        run_id  TEXT,
        data    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX product_events_run ON product_events(run_id, id);
    `,
  },
  {
    version: 7,
    name: 'turn instructions',
    sql: `
      -- The instruction files that shaped a turn (AGENTS.md and its kin) as JSON, checked on read:
      -- each file's path, sha256, the step it joined and the text the model got (replay uses it),
      -- and what was left out and why.
      ALTER TABLE turns ADD COLUMN instructions TEXT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
