import type { ViewToHost } from '../../protocol/view';

type FocusField = Extract<ViewToHost, { type: 'focusState' }>['field'];

/** How long the view waits after losing the focus before saying so: a reload tears it down sooner. */
const BLUR_GRACE_MS = 150;

/** The field of the view that `el` is, if it takes typing. */
function fieldOf(el: Element | null): FocusField {
  if (!(el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement)) return null;
  if (el.matches('.thread-pane textarea.input')) return 'thread';
  if (el.matches('.chat-pane textarea.input')) return 'composer';
  if (el.closest('.search-panel')) return 'search';
  return null;
}

/**
 * Tells the host which field of the view has the keyboard focus, so that after a window reload
 * the host can give it back there (VS Code gives it to the editor; see host/view/focusMemory.ts).
 * Leaving the view is told a moment late and not at all when the page is going away, because a
 * reload blurs the view as it tears it down, and the field it had is what must be remembered.
 */
export function reportFocus(post: (msg: ViewToHost) => void): void {
  let told: FocusField | undefined;
  let leaving: ReturnType<typeof setTimeout> | undefined;
  const tell = (field: FocusField) => {
    if (leaving) clearTimeout(leaving);
    leaving = undefined;
    if (field === told) return;
    told = field;
    post({ type: 'focusState', field });
  };
  document.addEventListener('focusin', () => tell(fieldOf(document.activeElement)));
  window.addEventListener('blur', () => {
    if (leaving) clearTimeout(leaving);
    leaving = setTimeout(() => tell(null), BLUR_GRACE_MS);
  });
  window.addEventListener('pagehide', () => {
    if (leaving) clearTimeout(leaving);
    leaving = undefined;
  });
}
