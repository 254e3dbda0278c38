import { readFileSync } from 'node:fs';
import { writeJsonFile } from '../../client/jsonFile';

/** A field of the chat view that takes typing. */
export type FocusField = 'composer' | 'thread' | 'search';
const FIELDS: readonly string[] = ['composer', 'thread', 'search'];

/**
 * How long after this window's start the focus may still be given back: a loaded machine takes
 * 15–25 s to show the view after a reload (seen with three VS Code windows on two cores).
 */
const RESTORE_WITHIN_MS = 30_000;
/** How old the last sign of typing in the chat may be at this window's start (a reload, not yesterday). */
const REMEMBERED_FOR_MS = 2 * 60_000;

interface Remembered {
  field: FocusField | null;
  /** When the chat last showed the field had the focus (the focus came, or the user typed in it), or when it left. */
  at: number;
}

/**
 * Where the keyboard focus was in the chat view, kept across a window reload. After a reload VS
 * Code gives the focus to the editor, not to the view that had it, so someone typing a message
 * through the reload typed into their file instead (issue 13, bug 8). This gives it back to the
 * field that had it, once, and only while nothing says the user has moved on. The focus that
 * left the view first is not given back, wherever it went: a click into an editor where the
 * cursor already is tells the extension nothing, so leaving for the Command Palette's "Reload
 * Window" looks the same as leaving for the editor. Otherwise: within a few
 * seconds of the window's start, when the chat had the focus until shortly before, and when the
 * user has neither typed in nor clicked into an editor since, nor gone to a terminal or another
 * window (then their keys are meant there, and an Enter would send them as a message).
 */
export class FocusMemory {
  private remembered: Remembered;
  private readonly previous: Remembered;
  private spent = false;
  private usedLate = false;
  private writeFailed = false;

  constructor(
    /** undefined: nothing is kept (a window without a folder shares its storage with every other such window). */
    private readonly file: string | undefined,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly startedAt = now(),
  ) {
    this.previous = this.read();
    this.remembered = this.previous;
  }

  /** The view says which field has the focus (null: none, the focus left the view). */
  record(field: FocusField | null): void {
    if (field === this.remembered.field && field === null) return;
    this.remembered = { field, at: this.now() };
    this.write();
  }

  /** The user typed in the view: the focus is still where it was, and now is when it was seen there. */
  typed(): void {
    if (this.remembered.field !== null && this.now() - this.remembered.at > 1000) this.record(this.remembered.field);
  }

  /** The user typed in or clicked into an editor, or went to a terminal or another window: the focus is not given back after that. */
  editorUsed(): void {
    if (this.spent) this.usedLate = true;
    this.spent = true;
    this.record(null);
  }

  /** The field to give the focus back to, now that the view is ready; at most once per window. */
  take(): FocusField | undefined {
    const field = this.previous.field;
    if (this.spent || !field) {
      this.spent = true;
      return undefined;
    }
    this.spent = true;
    const why = this.whyNot();
    if (why) {
      this.log(`the chat's ${field} had the keyboard focus before the reload; not given back: ${why}`);
      return undefined;
    }
    return field;
  }

  private whyNot(): string | undefined {
    const { at } = this.previous;
    if (this.remembered !== this.previous) return 'the view has told where the focus is since';
    const now = this.now();
    if (now - this.startedAt > RESTORE_WITHIN_MS) return `the view took ${Math.round((now - this.startedAt) / 1000)} s to load`;
    if (at > this.startedAt) return 'that was not before this window started';
    if (this.startedAt - at > REMEMBERED_FOR_MS) return 'that was not just before this window started';
    return undefined;
  }

  /** Whether the focus was given back, or will not be, in this window. */
  get decided(): boolean {
    return this.spent;
  }

  /** Whether an editor (or a terminal, another window) was used after `take`: the focus, on its way back, stays there. */
  get usedSinceTake(): boolean {
    return this.usedLate;
  }

  private read(): Remembered {
    if (this.file === undefined) return { field: null, at: 0 };
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Remembered>;
      const asField = (v: unknown) => (typeof v === 'string' && FIELDS.includes(v) ? (v as FocusField) : undefined);
      return { field: asField(raw.field) ?? null, at: typeof raw.at === 'number' && Number.isFinite(raw.at) ? raw.at : 0 };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`focus memory unreadable, ignored: ${(err as Error).message}`);
      return { field: null, at: 0 };
    }
  }

  /** Written at once: a reload may follow within a second, and the write is a few bytes. */
  private write(): void {
    if (this.file === undefined) return;
    try {
      writeJsonFile(this.file, this.remembered);
      this.writeFailed = false;
    } catch (err) {
      if (!this.writeFailed) this.log(`could not keep where the focus is: ${(err as Error).message}`);
      this.writeFailed = true;
    }
  }
}
