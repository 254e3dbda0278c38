import type * as vscode from 'vscode';
import type { HostToView, MessageView, ViewToHost } from '../../protocol/view';
import type { DraftStore } from '../drafts';
import type { FocusMemory } from './focusMemory';
import type { ViewPlaceStore } from './viewPlace';
import type { NotificationPrefs } from '../notificationPrefs';
import type { Session } from '../session';

/** The view message of type `K`. */
export type ViewMessage<K extends ViewToHost['type']> = Extract<ViewToHost, { type: K }>;

/**
 * One handler per message type the view may post (protocol/view.ts): a type added there without
 * a handler here does not compile. What a handler returns is awaited; one that throws (or
 * rejects) has its error logged and shown in the view (see dispatchViewMessage).
 */
export type ViewHandlers = { [K in ViewToHost['type']]: (msg: ViewMessage<K>) => unknown };

/** What the chat view needs of the session: the client of the moment, its state, its events. */
export type ViewSession = Pick<Session, 'client' | 'connection' | 'onDidChange' | 'onClientEvent'>;

/** The open thread: its conversation and root seq. */
export interface OpenThread {
  conv: string;
  root: number;
}

/** What the view's handlers use of the chat view provider (it implements this). */
export interface ViewHost {
  readonly session: ViewSession;
  readonly log: Pick<vscode.LogOutputChannel, 'info' | 'warn' | 'error'>;
  readonly drafts: Pick<DraftStore, 'set' | 'all'>;
  readonly focusMemory: Pick<FocusMemory, 'record' | 'typed'>;
  /** Where the view was (screen, scroll), for the next view after a reload. */
  readonly place: Pick<ViewPlaceStore, 'set' | 'get'>;
  /** Muted conversations, followed threads (the view's bell buttons change them). */
  readonly prefs: Pick<NotificationPrefs, 'muted' | 'setMuted' | 'following' | 'setFollowing'>;
  /** Whether the view is on screen. */
  readonly visible: boolean;
  /** Whether the view has loaded and posted `ready` (until then nothing is posted to it). */
  readonly ready: boolean;
  post(msg: HostToView): void;
  /** Posts a fresh snapshot now. */
  push(): void;
  /** Posts a fresh snapshot soon (changes within a few ms make one). */
  schedulePush(immediate?: boolean): void;
  select(conv: string): Promise<void>;
  showThread(thread: OpenThread | undefined): Promise<void>;
  /** Brings the view on screen (its `.focus` command). */
  focusView(): Thenable<unknown>;
  /** Adds image previews to messages about to be posted. */
  withPreviews(messages: MessageView[]): MessageView[];
}
