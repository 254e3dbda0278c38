import type { ConversationView, ViewSnapshot } from '../../protocol/view';
import { DEFAULT_LIMITS } from '../../protocol/constants';
import { mayManage } from '../logic/roomPermissions';

/** What every pane reads: the host's last snapshot, the conversation on screen, my rights in it. */
export class ViewState {
  snap: ViewSnapshot | undefined;
  /** The conversation on screen (the snapshot's `active` once it has been shown). */
  active: string | undefined;
  private rowsKeyFor: { snap?: ViewSnapshot | undefined; active?: string | undefined; key: string } = { key: '' };

  conv(): ConversationView | undefined {
    return this.snap?.conversations.find((c) => c.id === this.active);
  }

  me(): string | undefined {
    return this.snap?.me?.id;
  }

  /** A member's name as the snapshot has it ('someone' for one it does not list). */
  memberName(id: string): string {
    return this.snap?.members.find((m) => m.id === id)?.name ?? 'someone';
  }

  /** Whether I may change the active room's topic, archive or pins. */
  may(act: 'topic' | 'archive' | 'pin'): boolean {
    return mayManage(this.snap, this.conv(), act);
  }

  /** The most characters the relay takes in one message. */
  maxChars(): number {
    return this.snap?.limits?.maxTextChars ?? DEFAULT_LIMITS.maxTextChars;
  }

  /** What rows render from besides themselves: who was removed (marked), whether I may pin here, the members (their colours). */
  rowsKey(): string {
    if (this.rowsKeyFor.snap !== this.snap || this.rowsKeyFor.active !== this.active) {
      const removed = (this.snap?.members ?? []).filter((m) => m.removed).map((m) => m.id);
      this.rowsKeyFor = {
        snap: this.snap,
        active: this.active,
        key: `${removed.join(',')}/${this.may('pin') ? 1 : 0}/${this.conv()?.members.join(',') ?? ''}`,
      };
    }
    return this.rowsKeyFor.key;
  }
}
