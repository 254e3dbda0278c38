import type { ViewToHost } from '../../protocol/view';

export interface UiState {
  drafts: Record<string, string>;
  /** When each draft last changed (ms), to tell the newer of the view's and the host's copy. */
  draftTimes: Record<string, number>;
  screen: 'list' | 'chat';
  /** Emoji used for reactions, most recent first. */
  recentEmoji: string[];
  /** Where the open conversation was scrolled to, when not at its bottom (restored after a hide/show or a reload). */
  scroll?: { conv: string; key: string; offset: number };
  /** When `screen` or `scroll` last changed (ms), to tell the newer of the view's and the host's copy. */
  placeAt?: number;
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
  const times = s?.draftTimes && typeof s.draftTimes === 'object' ? s.draftTimes : {};
  const sc = s?.scroll;
  const scroll =
    sc && typeof sc.conv === 'string' && typeof sc.key === 'string' && Number.isFinite(sc.offset)
      ? { conv: sc.conv, key: sc.key, offset: sc.offset }
      : undefined;
  const placeAt = typeof s?.placeAt === 'number' && Number.isFinite(s.placeAt) ? { placeAt: s.placeAt } : {};
  return {
    drafts: s?.drafts ?? {},
    draftTimes: times,
    screen: s?.screen === 'chat' ? 'chat' : 'list',
    recentEmoji: recent,
    ...(scroll ? { scroll } : {}),
    ...placeAt,
  };
}

export function saveUiState(s: UiState): void {
  api.setState(s);
}

/** Calls `flush` when the page goes away or loses focus (a reload, a closed or hidden view): what waits to be posted goes now. */
export function onPageLeave(flush: () => void): void {
  window.addEventListener('pagehide', flush);
  window.addEventListener('blur', flush);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
}
