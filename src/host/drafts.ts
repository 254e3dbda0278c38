import { readFileSync } from 'node:fs';
import { writeJsonFile } from '../client/jsonFile';

/** One draft: its text and when the view last changed it (the newer of two copies wins). */
export interface Draft {
  text: string;
  at: number;
}

const MAX_DRAFTS = 200;
const MAX_CHARS = 100_000;

/**
 * Drafts of the chat view's composers, kept by the extension host in a file of its own.
 * The webview keeps them with setState too, but VS Code writes a webview's state to its storage
 * only now and then: a reload within seconds of typing lost the draft. The view posts each change
 * (debounced briefly, and at once when the page hides); this writes them to disk shortly after.
 */
export class DraftStore {
  private drafts: Record<string, Draft> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void,
    private readonly delayMs = 100,
  ) {
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (raw && typeof raw === 'object') {
        for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
          const d = v as Partial<Draft>;
          if (typeof d?.text === 'string' && typeof d.at === 'number') this.drafts[k] = { text: d.text.slice(0, MAX_CHARS), at: d.at };
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`drafts file unreadable, starting empty: ${(err as Error).message}`);
    }
  }

  all(): Record<string, Draft> {
    return { ...this.drafts };
  }

  /**
   * Records a change. An empty text is kept as an empty draft (a tombstone), so a view holding
   * an older copy learns that the draft was sent or cleared. Changes older than the kept one are ignored.
   */
  set(key: string, text: string, at: number): void {
    const old = this.drafts[key];
    if (old && old.at > at) return;
    this.drafts[key] = { text: text.slice(0, MAX_CHARS), at };
    const keys = Object.keys(this.drafts);
    if (keys.length > MAX_DRAFTS) {
      // The oldest go first.
      for (const k of keys.sort((a, b) => this.drafts[a].at - this.drafts[b].at).slice(0, keys.length - MAX_DRAFTS)) delete this.drafts[k];
    }
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes now (atomic: a crash leaves the old file or the new one, never half of one). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      writeJsonFile(this.file, this.drafts);
    } catch (err) {
      this.log(`could not save drafts: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    if (this.timer) this.flush();
  }
}
