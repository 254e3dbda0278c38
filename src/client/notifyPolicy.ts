export type NotifyLevel = 'all' | 'mentionsAndDms' | 'none';

export interface NotifyContext {
  level: NotifyLevel;
  quietWhileDebugging: boolean;
  debugging: boolean;
  windowFocused: boolean;
  viewVisible: boolean;
  /** Only one window of a user notifies (see notifierElection). */
  isNotifierWindow: boolean;
  /** Notifications are snoozed (NotifyPrefs.snoozedUntil). */
  snoozed?: boolean;
}

export interface NotifyCandidate {
  conv: string;
  convTitle: string;
  isDm: boolean;
  authorName: string;
  text: string;
  mentionsMe: boolean;
  /** The root's seq, for a reply in a thread. */
  thread?: number;
  /** A reply in a thread I started or replied to. */
  inMyThread?: boolean;
  /** The conversation is muted. */
  muted?: boolean;
  /** For a reply: the thread was followed (true) or left (false) by hand; undefined: neither. */
  following?: boolean;
  /** The team it came from (the key of NotifyPrefs), so a choice made on its notification goes to that team. */
  team?: string;
}

/**
 * Whether a new message from someone else should raise a notification. A snooze silences
 * everything; a thread followed by hand notifies of every reply, even in a muted conversation; a
 * muted conversation notifies of nothing else, mentions included; a thread left by hand only of
 * replies that mention me.
 */
export function shouldNotify(c: NotifyCandidate, ctx: NotifyContext): boolean {
  if (!ctx.isNotifierWindow || ctx.level === 'none' || ctx.snoozed) return false;
  if (ctx.quietWhileDebugging && ctx.debugging) return false;
  if (ctx.windowFocused && ctx.viewVisible) return false; // the user is looking at the chat
  if (c.thread !== undefined) return threadNotifies(c, ctx.level) || (c.mentionsMe && !c.muted);
  if (c.muted) return false;
  return ctx.level === 'all' || c.isDm || c.mentionsMe;
}

/**
 * Whether a thread's replies notify me (those that mention me aside): followed by hand; else
 * not when its conversation is muted or I left it by hand; else at the level "all", in a direct
 * message, or when I took part in it. The thread's bell shows this.
 */
export function threadNotifies(t: Pick<NotifyCandidate, 'following' | 'muted' | 'isDm' | 'inMyThread'>, level: NotifyLevel): boolean {
  if (level === 'none') return false;
  if (t.following === true) return true;
  if (t.muted || t.following === false) return false;
  return level === 'all' || t.isDm || t.inMyThread === true;
}

/** The text of one notification for a burst of messages. */
export function summarize(items: NotifyCandidate[]): { text: string; conv: string; thread?: number } {
  const last = items[items.length - 1];
  if (items.length === 1) {
    const where = last.isDm ? last.authorName : `${last.authorName} in ${last.convTitle}`;
    const text =
      last.thread !== undefined
        ? `${last.authorName} replied in a thread${last.isDm ? '' : ` in ${last.convTitle}`}: ${oneLine(last.text, 160)}`
        : `${where}: ${oneLine(last.text, 160)}`;
    return { text, conv: last.conv, ...(last.thread !== undefined ? { thread: last.thread } : {}) };
  }
  const people = [...new Set(items.map((i) => i.authorName))];
  const places = [...new Set(items.map((i) => (i.isDm ? 'a direct message' : i.convTitle)))];
  const who = people.length <= 3 ? people.join(', ') : `${people.slice(0, 3).join(', ')} and ${people.length - 3} more`;
  const where = places.length === 1 ? ` in ${places[0]}` : '';
  return { text: `${items.length} new messages from ${who}${where}`, conv: last.conv };
}

function oneLine(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

/**
 * Coalesces bursts: the first item after a quiet period is shown at once; items arriving within
 * `windowMs` after it are held and shown as one summary when the window ends.
 */
export class Coalescer<T> {
  private held: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly show: (items: T[]) => void,
    private readonly setTimer: (fn: () => void, ms: number) => ReturnType<typeof setTimeout> = setTimeout,
    private readonly clearTimer: (t: ReturnType<typeof setTimeout>) => void = clearTimeout,
  ) {}

  add(item: T): void {
    if (this.timer === undefined) {
      this.show([item]);
      this.timer = this.setTimer(() => this.flush(), this.windowMs);
      return;
    }
    this.held.push(item);
  }

  private flush(): void {
    const items = this.held;
    this.held = [];
    this.timer = undefined;
    if (items.length) {
      this.show(items);
      this.timer = this.setTimer(() => this.flush(), this.windowMs);
    }
  }

  dispose(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    this.held = [];
  }
}
