import type { ConversationView, MessageView } from '../../protocol/view';
import { buildRows, mergeOlder, mergeSnapshot, seenPositions, type Row } from './timeline';

const lastSeq = (list: readonly MessageView[]): number => list.reduce((n, m) => Math.max(n, m.seq ?? 0), 0);

/**
 * The conversation on screen: the messages loaded for it (a snapshot's page, older pages, the
 * run around a revealed message), whether older ones exist, and where the "new" divider stands.
 * Pure (no DOM): the view feeds it what the host sends and renders its rows.
 */
export class OpenConversation {
  messages: MessageView[] = [];
  /** Whether older messages exist before messages[0]. */
  more = false;
  /** The request id of the page of older messages asked for and not answered yet. */
  private olderRid: string | undefined;
  /**
   * An older page came back empty while more exist (the relay was out of reach): ask again only
   * after the next snapshot, not on every render near the top (which would ask in a loop).
   */
  private olderPaused = false;
  /** Messages after this seq are marked new (undefined: no divider). */
  private newAfter: number | undefined;
  /** The divider only marks messages that were unread when the conversation was opened. */
  private dividerLimit = 0;
  /** The last read marker sent per conversation, so each is sent once. */
  private readonly readSent = new Map<string, number>();

  /** Another conversation is shown (or none): starts from its snapshot page. */
  open(conv: ConversationView | undefined, messages: MessageView[], more: boolean): void {
    this.messages = messages;
    this.more = more;
    this.olderRid = undefined;
    this.olderPaused = false;
    this.newAfter = conv?.read;
    this.dividerLimit = conv?.head ?? 0;
  }

  /** A newer snapshot of the same conversation; returns the authors of the messages it added. */
  update(page: MessageView[], more: boolean): MessageView[] {
    const last = lastSeq(this.messages);
    const arrived = page.filter((m) => (m.seq ?? 0) > last);
    this.olderPaused = false;
    this.messages = mergeSnapshot(this.messages, page);
    // `more` speaks of the snapshot's page: it holds for what is loaded only if both start at the same message.
    if (!this.messages.length || this.messages[0].seq === page.find((m) => m.seq !== undefined)?.seq) this.more = more;
    return arrived;
  }

  /** The run of messages around a revealed one replaces what was loaded. */
  replace(messages: MessageView[], more: boolean): void {
    this.messages = messages;
    this.more = more;
    this.olderRid = undefined;
    this.olderPaused = false;
  }

  /** Notes a request for the page before the oldest message (its `before`); undefined when none is due. */
  askOlder(rid: string): { before?: number } | undefined {
    if (!this.more || this.olderRid !== undefined || this.olderPaused) return undefined;
    this.olderRid = rid;
    const oldest = this.messages.find((m) => m.seq !== undefined)?.seq;
    return oldest !== undefined ? { before: oldest } : {};
  }

  /** A page of older messages; false (and ignored) unless it answers the request pending. */
  older(rid: string, messages: MessageView[], more: boolean): boolean {
    if (rid !== this.olderRid) return false;
    this.olderRid = undefined;
    this.olderPaused = messages.length === 0 && more;
    this.messages = mergeOlder(messages, this.messages);
    this.more = more;
    return true;
  }

  rows(me: string | undefined, seen: Record<string, number> | undefined, now: number): Row[] {
    const seenBy = seenPositions(this.messages, seen, me);
    return buildRows(this.messages, { ...(me ? { me } : {}), ...(this.newAfter !== undefined ? { newAfter: this.newAfter } : {}), now, seenBy });
  }

  /** My last text message that can still be edited (Up in an empty composer). */
  lastOwnText(me: string | undefined): { seq: number; text: string } | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i];
      if (m.author === me && m.seq !== undefined && m.body.kind === 'text' && !m.deleted) return { seq: m.seq, text: m.edited ?? m.body.text };
    }
    return undefined;
  }

  /**
   * Messages read as they arrive are not "new": while no divider marks messages that were unread
   * when the conversation was opened, and the user is at the bottom, the divider stays off.
   */
  followReadMarker(atBottom: boolean, me: string | undefined): void {
    if (this.newAfter === undefined || !atBottom) return;
    const unreadAtOpen = this.messages.some((m) => m.seq !== undefined && m.seq > (this.newAfter ?? 0) && m.seq <= this.dividerLimit && m.author !== me);
    if (unreadAtOpen) return;
    this.newAfter = Math.max(this.newAfter, lastSeq(this.messages));
  }

  /**
   * The read marker to send for `conv`, if it moves: up to the newest message on screen at the
   * bottom of the conversation (`chatSeen`) or of its open thread (`thread`, when seen to its end).
   */
  readTo(conv: { id: string; read: number }, chatSeen: boolean, thread: readonly MessageView[] | undefined, me: string | undefined): number | undefined {
    const mainLast = chatSeen ? lastSeq(this.messages) : 0;
    let threadLast = thread ? lastSeq(thread) : 0;
    if (threadLast > mainLast && !chatSeen) {
      // The read marker is one seq per conversation: reading a thread must not pass over
      // messages of the conversation itself that are not on screen.
      const unseen = this.messages.find((m) => m.seq !== undefined && m.seq > conv.read && m.seq <= threadLast && m.author !== me);
      if (unseen?.seq !== undefined) threadLast = unseen.seq - 1;
    }
    const last = Math.max(mainLast, threadLast);
    if (last <= conv.read || last <= (this.readSent.get(conv.id) ?? 0)) return undefined;
    this.readSent.set(conv.id, last);
    return last;
  }
}
