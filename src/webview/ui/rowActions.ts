import type { ConversationView, ViewSnapshot } from '../../protocol/view';
import { authorColors } from '../logic/authorColor';
import type { Composer } from './composer';
import type { RowContext } from './messageRow';
import { post } from './vscodeApi';

/** What the rows of a list need from the view that shows them. */
export interface RowScope {
  snap: ViewSnapshot | undefined;
  /** The conversation on screen, read when a button is pressed. */
  active(): string | undefined;
  conv: ConversationView | undefined;
  mayPin: boolean;
  /** Where Edit puts a message: the conversation's composer or the thread's. */
  composer: Composer;
  /** Rows link to their threads (not inside the thread pane). */
  threadLinks: boolean;
  notice(level: 'info' | 'error', text: string): void;
  react(seq: number, emoji: string, on: boolean): void;
  pickReaction(seq: number, anchor: HTMLElement): void;
}

/** A row's context: what it renders with, and its buttons turned into requests to the host. */
export function rowContext(s: RowScope): RowContext {
  const me = s.snap?.me;
  const inConv = (act: (conv: string) => void) => {
    const conv = s.active();
    if (conv) act(conv);
  };
  return {
    mentions: { names: (s.snap?.members ?? []).map((m) => m.name), ...(me ? { me: me.name } : {}), room: s.conv?.kind === 'room' },
    readOnly: s.conv?.archived === true,
    mayPin: s.mayPin,
    ...(me ? { me: me.id } : {}),
    members: new Map((s.snap?.members ?? []).map((m) => [m.id, m])),
    colour: authorColors(s.conv?.members ?? []),
    conv: s.active() ?? '',
    openLink: (url) => post({ type: 'openLink', url }),
    copy: (text) => {
      post({ type: 'copy', text });
      s.notice('info', 'Copied');
    },
    retry: (id) => post({ type: 'retry', id }),
    discard: (id) => post({ type: 'discard', id }),
    edit: (m) => m.seq !== undefined && m.body.kind === 'text' && s.composer.startEdit(m.seq, m.edited ?? m.body.text),
    remove: (m) => {
      const seq = m.seq;
      if (seq !== undefined) inConv((conv) => post({ type: 'delete', conv, target: seq }));
    },
    saveFile: (seq) => inConv((conv) => post({ type: 'saveFile', conv, seq })),
    openFile: (seq) => inConv((conv) => post({ type: 'openFile', conv, seq })),
    snippet: (seq, action) => inConv((conv) => post({ type: 'snippet', conv, seq, action })),
    react: (seq, emoji, on) => s.react(seq, emoji, on),
    pin: (seq, on) => inConv((conv) => post({ type: 'pin', conv, target: seq, on })),
    pickReaction: (seq, anchor) => s.pickReaction(seq, anchor),
    openRef: (path, line, col) => post({ type: 'openRef', path, line, ...(col !== undefined ? { col } : {}) }),
    ...(s.threadLinks ? { openThread: (seq: number) => inConv((conv) => post({ type: 'openThread', conv, root: seq })) } : {}),
  };
}
