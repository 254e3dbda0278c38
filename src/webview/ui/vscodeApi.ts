import type { ViewToHost } from '../../protocol/view';

export interface UiState {
  drafts: Record<string, string>;
  screen: 'list' | 'chat';
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
  return { drafts: s?.drafts ?? {}, screen: s?.screen === 'chat' ? 'chat' : 'list' };
}

export function saveUiState(s: UiState): void {
  api.setState(s);
}
