import type { ViewToHost } from '../../protocol/view';

export interface UiState {
  drafts: Record<string, string>;
  screen: 'list' | 'chat';
  /** Emoji used for reactions, most recent first. */
  recentEmoji: string[];
}

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(msg: ViewToHost): void {
  api.postMessage(msg);
}

export function loadUiState(): UiState {
  const s = api.getState() as Partial<UiState> | undefined;
  const recent = Array.isArray(s?.recentEmoji) ? s.recentEmoji.filter((e): e is string => typeof e === 'string').slice(0, 8) : [];
  return { drafts: s?.drafts ?? {}, screen: s?.screen === 'chat' ? 'chat' : 'list', recentEmoji: recent };
}

export function saveUiState(s: UiState): void {
  api.setState(s);
}
