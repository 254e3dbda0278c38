import { readFileSync, renameSync, statSync } from 'node:fs';
import { writeJsonFile } from './jsonFile';

/** A snooze with no end: until the user resumes notifications. */
export const SNOOZE_UNTIL_RESUMED = Number.MAX_SAFE_INTEGER;
/** Bounds on what the file keeps per team (the oldest entries go first). */
const MAX_MUTED = 1000;
const MAX_THREADS = 2000;
/** A conversation id as the relay makes them (protocol/wire.ts ConvId). */
const CONV_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const THREAD_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}:[1-9]\d{0,15}$/;

interface TeamPrefs {
  /** Muted conversations, oldest first. */
  muted: string[];
  /** Threads followed (true) or left (false) by hand, `conv:root`, oldest first. */
  threads: [string, boolean][];
}

interface PrefsData {
  /** Until when (ms since the epoch) no notification is shown; absent: not snoozed. */
  snoozedUntil?: number;
  teams: Record<string, TeamPrefs>;
}

/**
 * What the user chose about notifications on this machine: conversations muted, threads followed
 * or left, and a snooze for all of them. Kept in one small file in the extension's global storage,
 * shared by every VS Code window (the window that notifies is not always the one where the choice
 * was made), and read again when another window changed it (every read and change looks at the
 * file's mtime and size first). A team is a key the caller makes
 * (relay and member): conversation ids of one relay say nothing about another's.
 */
export class NotifyPrefs {
  private data: PrefsData = { teams: {} };
  /** The file's mtime and size when last read: a change by another window is read again. */
  private stamp = '';
  private readonly listeners = new Set<() => void>();

  constructor(
    /** undefined: choices are kept in memory only. */
    private readonly file: string | undefined,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.refresh();
  }

  /** Calls `fn` when a choice changes in this window, or when refresh() found one made in another. */
  onDidChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  muted(team: string, conv: string): boolean {
    this.refresh();
    return this.data.teams[team]?.muted.includes(conv) ?? false;
  }

  setMuted(team: string, conv: string, on: boolean): void {
    this.change((d) => {
      const t = teamOf(d, team);
      t.muted = t.muted.filter((c) => c !== conv);
      if (on) t.muted = [...t.muted, conv].slice(-MAX_MUTED);
    });
  }

  /** true: followed by hand; false: left by hand; undefined: as the policy decides (I took part in it or not). */
  /** Every muted conversation of a team, with one look at the file (a snapshot asks for each conversation). */
  mutedIn(team: string): ReadonlySet<string> {
    this.refresh();
    return new Set(this.data.teams[team]?.muted ?? []);
  }

  following(team: string, conv: string, root: number): boolean | undefined {
    this.refresh();
    return this.data.teams[team]?.threads.find(([k]) => k === `${conv}:${root}`)?.[1];
  }

  /** Follows (true) or leaves (false) a thread by hand; undefined forgets the choice. */
  setFollowing(team: string, conv: string, root: number, on: boolean | undefined): void {
    const key = `${conv}:${root}`;
    this.change((d) => {
      const t = teamOf(d, team);
      t.threads = t.threads.filter(([k]) => k !== key);
      if (on !== undefined) t.threads = [...t.threads, [key, on] as [string, boolean]].slice(-MAX_THREADS);
    });
  }

  /** Until when notifications are snoozed, or undefined when they are not (a snooze that ended is none). */
  snoozedUntil(now = Date.now()): number | undefined {
    this.refresh();
    const until = this.data.snoozedUntil;
    return until !== undefined && until > now ? until : undefined;
  }

  /** Snoozes until `until` (ms since the epoch; SNOOZE_UNTIL_RESUMED: no end), or resumes (undefined). */
  snooze(until: number | undefined): void {
    this.change((d) => {
      if (until === undefined) delete d.snoozedUntil;
      else d.snoozedUntil = until;
    });
  }

  /** Reads the file again if another window wrote it since; tells the listeners when it had. */
  refresh(): void {
    if (!this.file) return;
    let stamp: string;
    try {
      const s = statSync(this.file);
      stamp = `${s.mtimeMs}:${s.size}`;
    } catch {
      stamp = 'none';
    }
    if (stamp === this.stamp) return;
    const first = this.stamp === '';
    if (stamp === 'none') this.data = { teams: {} };
    else {
      const read = this.read(this.file);
      // A file that could not be read now (busy, being replaced) keeps what was known; read it again next time.
      if (read === undefined) return;
      this.data = read;
    }
    this.stamp = stamp;
    if (!first) this.emit();
  }

  /** The file's choices; undefined when it could not be read at all (the caller keeps what it had). */
  private read(file: string): PrefsData | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      this.log(`could not read notification preferences in ${file}: ${(err as Error).message}`);
      return undefined;
    }
    try {
      return parsePrefs(JSON.parse(text));
    } catch (err) {
      // Damaged: kept aside (not overwritten by the next change), and the choices start afresh.
      this.log(`notification preferences in ${file} are damaged (${(err as Error).message}); kept as ${file}.damaged, starting afresh`);
      try {
        renameSync(file, `${file}.damaged`);
      } catch {
        /* the next change writes a good file over it */
      }
      return { teams: {} };
    }
  }

  private change(edit: (d: PrefsData) => void): void {
    this.refresh();
    edit(this.data);
    if (this.file) {
      try {
        writeJsonFile(this.file, this.data);
        const s = statSync(this.file);
        this.stamp = `${s.mtimeMs}:${s.size}`;
      } catch (err) {
        this.log(`could not keep notification preferences in ${this.file}: ${(err as Error).message}`);
      }
    }
    this.emit();
  }

  private emit(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

function teamOf(d: PrefsData, team: string): TeamPrefs {
  return (d.teams[team] ??= { muted: [], threads: [] });
}

/** The file's content, keeping only entries of the right shape (it may be damaged or from a newer version). */
export function parsePrefs(raw: unknown): PrefsData {
  const out: PrefsData = { teams: Object.create(null) as Record<string, TeamPrefs> };
  if (typeof raw !== 'object' || raw === null) return out;
  const r = raw as { snoozedUntil?: unknown; teams?: unknown };
  if (typeof r.snoozedUntil === 'number' && Number.isSafeInteger(r.snoozedUntil) && r.snoozedUntil > 0) out.snoozedUntil = r.snoozedUntil;
  if (typeof r.teams !== 'object' || r.teams === null) return out;
  for (const [team, value] of Object.entries(r.teams as Record<string, unknown>)) {
    if (!/^[0-9a-f]{16,64}$/.test(team) || typeof value !== 'object' || value === null) continue;
    const v = value as { muted?: unknown; threads?: unknown };
    const muted = Array.isArray(v.muted) ? v.muted.filter((c): c is string => typeof c === 'string' && CONV_ID.test(c)).slice(-MAX_MUTED) : [];
    const threads = Array.isArray(v.threads)
      ? v.threads
          .filter((e): e is [string, boolean] => Array.isArray(e) && typeof e[0] === 'string' && THREAD_KEY.test(e[0]) && typeof e[1] === 'boolean')
          .map(([k, on]) => [k, on] as [string, boolean])
          .slice(-MAX_THREADS)
      : [];
    out.teams[team] = { muted, threads };
  }
  return out;
}
