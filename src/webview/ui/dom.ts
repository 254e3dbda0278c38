import { mayHaveInvisible, visibleParts, visibleString } from '../logic/visibleText';

/** Attributes people read (tooltips, labels): their text is shown with invisible characters marked. */
const READABLE_ATTRS = new Set(['title', 'aria-label', 'aria-description', 'alt', 'placeholder']);

/**
 * Creates an element with classes and children; text children become text nodes (never HTML).
 * All text (`text`, string children, readable attributes) goes through visible(): bidi controls
 * and invisible characters show as marks (logic/visibleText.ts), wherever the text came from.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; attrs?: Record<string, string>; text?: string; on?: Partial<Record<keyof HTMLElementEventMap, (e: Event) => void>> } = {},
  ...children: (Node | string | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) el.setAttribute(k, READABLE_ATTRS.has(k) ? visibleString(v) : v);
  if (props.text !== undefined) setText(el, props.text);
  if (props.on) for (const [k, fn] of Object.entries(props.on)) if (fn) el.addEventListener(k, fn);
  for (const c of children) if (c !== undefined && c !== false) el.append(typeof c === 'string' ? visible(c) : c);
  return el;
}

/**
 * Text from anyone as DOM nodes: a text node, or text with each run of bidi controls and
 * invisible characters shown as a mark like ⟨U+202E⟩ whose tooltip names them.
 */
export function visible(text: string): Node {
  if (!mayHaveInvisible(text)) return document.createTextNode(text);
  const frag = document.createDocumentFragment();
  for (const p of visibleParts(text)) {
    if ('text' in p) frag.append(p.text);
    else {
      const mark = document.createElement('span');
      mark.className = 'invisible-char';
      mark.title = p.title;
      mark.textContent = p.label;
      frag.append(mark);
    }
  }
  return frag;
}

/** Replaces an element's content with text shown through visible() (for textContent = …). */
export function setText(el: HTMLElement, text: string): void {
  // An option or a text area shows its text only: marks as plain labels.
  if (!mayHaveInvisible(text) || el instanceof HTMLOptionElement || el instanceof HTMLTextAreaElement) el.textContent = visibleString(text);
  else el.replaceChildren(visible(text));
}

/**
 * A name, title, topic, file name or path from someone else, isolated (`<bdi>`: its own
 * direction, found from its text) so a right-to-left name cannot reorder the text around it.
 */
export function bdi(text: string, cls?: string): HTMLElement {
  return h('bdi', cls ? { class: cls, text } : { text });
}

/** "alice", "alice and bob", "alice, bob and carol": each name isolated. */
export function nameList(names: readonly string[]): Node[] {
  const out: Node[] = [];
  names.forEach((n, i) => {
    if (i > 0) out.push(document.createTextNode(i === names.length - 1 ? ' and ' : ', '));
    out.push(bdi(n));
  });
  return out;
}

export function icon(name: string, label?: string): HTMLSpanElement {
  const el = h('span', { class: `codicon codicon-${name}` });
  if (label) {
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', label);
  } else el.setAttribute('aria-hidden', 'true');
  return el;
}

/**
 * Parley's own icon (media/parley.svg), drawn inline in the text colour: it shows on the first
 * paint, before the icon font has loaded.
 */
export function brandIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [k, v] of Object.entries({
    class: 'brand-icon',
    viewBox: '0 0 24 24',
    width: '20',
    height: '20',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '1.6',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
  }))
    svg.setAttribute(k, v);
  for (const d of [
    'M4 4.5h16a1.5 1.5 0 0 1 1.5 1.5v9.5a1.5 1.5 0 0 1-1.5 1.5H10l-4.5 3.5V17H4a1.5 1.5 0 0 1-1.5-1.5V6A1.5 1.5 0 0 1 4 4.5z',
    'M9.5 8.5 7 11l2.5 2.5M14.5 8.5 17 11l-2.5 2.5',
  ]) {
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

export function iconButton(name: string, label: string, onClick: () => void, extraClass = ''): HTMLButtonElement {
  const b = h('button', { class: `icon-button ${extraClass}`.trim(), attrs: { type: 'button', title: label, 'aria-label': label } }, icon(name));
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/**
 * A button that is on or off (aria-pressed), with one name for both states (as ARIA wants) and a
 * tooltip and icon for each. `set` changes its state in place, so the focus stays on it.
 */
export function toggleButton(
  label: string,
  looks: { on: { icon: string; title: string }; off: { icon: string; title: string } },
  onClick: (pressed: boolean) => void,
  extraClass = '',
): HTMLButtonElement & { set(pressed: boolean): void } {
  const b = h('button', { class: `icon-button toggle ${extraClass}`.trim(), attrs: { type: 'button', 'aria-label': label } }) as HTMLButtonElement & {
    set(pressed: boolean): void;
  };
  b.set = (pressed) => {
    const look = pressed ? looks.on : looks.off;
    b.setAttribute('aria-pressed', String(pressed));
    b.title = look.title;
    b.replaceChildren(icon(look.icon));
  };
  b.set(false);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick(b.getAttribute('aria-pressed') !== 'true');
  });
  return b;
}

/** The locale's own short time: "7:45 PM" in en-US, "19:45" in de (no leading zero added). */
export function formatTime(ts: number): string {
  return new Date(ts).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

/** "Dec 1 10:42": a day and time for lists that span days (search results, pins). */
export function formatDayTime(ts: number): string {
  return `${new Date(ts).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${formatTime(ts)}`;
}
