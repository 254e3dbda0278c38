import { isTall } from '../logic/collapse';
import { h } from './dom';

/** Messages shown expanded ("Show more"), by conversation and message id, across re-renders. */
const expanded = new Set<string>();
let collapseIds = 0;
const toggles = new WeakMap<Element, HTMLButtonElement>();
let watcher: ResizeObserver | undefined;

/** Whether a body's full content is taller than the clamp: shows its toggle only then. */
function fit(body: HTMLElement): void {
  const toggle = toggles.get(body);
  if (!toggle || !body.isConnected || body.clientWidth === 0) return;
  const tall = isTall(body.scrollHeight);
  toggle.hidden = !tall;
  body.classList.toggle('clamped', tall && toggle.getAttribute('aria-expanded') !== 'true');
}

/**
 * A "Show more" / "Show less" button for a long text message: the body is clamped to about
 * twelve lines (media/chat.css) until expanded. It sits outside the body, which holds the text only.
 */
export function collapsible(body: HTMLElement, key: string): HTMLButtonElement {
  body.id ||= `msg-body-${++collapseIds}`;
  const open = expanded.has(key);
  const toggle = h('button', {
    class: 'link-button show-more',
    text: open ? 'Show less' : 'Show more',
    attrs: { type: 'button', 'aria-expanded': String(open), 'aria-controls': body.id },
  });
  body.classList.add('collapsible');
  if (!open) body.classList.add('clamped');
  toggle.addEventListener('click', (e) => {
    e.stopPropagation();
    const now = toggle.getAttribute('aria-expanded') !== 'true';
    if (now) expanded.add(key);
    else expanded.delete(key);
    toggle.setAttribute('aria-expanded', String(now));
    toggle.textContent = now ? 'Show less' : 'Show more';
    body.classList.toggle('clamped', !now);
    // Collapsing a long message from below: keep its button (and the message) in view.
    if (!now) toggle.scrollIntoView({ block: 'nearest' });
  });
  toggles.set(body, toggle);
  watcher ??= new ResizeObserver((entries) => {
    for (const e of entries) fit(e.target as HTMLElement);
  });
  watcher.observe(body);
  return toggle;
}
