import { avatarLabels } from '../logic/avatars';
import type { RowContext } from './messageRow';
import { h } from './dom';

/** Member id → avatar label, for the last set of members seen (labels unique among them). */
let avatarMemo: { key: string; labels: Map<string, string> } | undefined;

/**
 * A member's two-letter label ("Ca" for carol, "Ce" for carole): unique among the team's
 * members, so the same person has the same label wherever faces are shown together.
 */
export function avatarLabel(user: string, ctx: RowContext): string {
  const members = [...ctx.members.values()];
  const key = members.map((m) => `${m.id}\u0000${m.name}`).join('\u0001');
  if (avatarMemo?.key !== key) {
    const labels = avatarLabels(members.map((m) => m.name));
    avatarMemo = { key, labels: new Map(members.map((m, i) => [m.id, labels[i]])) };
  }
  return avatarMemo.labels.get(user) ?? '?';
}

/** The author's avatar at the head of a run of their messages. */
export function avatar(user: string, name: string, ctx: RowContext): HTMLElement {
  const el = h('div', { class: 'avatar', text: avatarLabel(user, ctx), attrs: { 'aria-hidden': 'true', title: name } });
  return tint(el, ctx.colour(user));
}

/** A small face (thread repliers, "seen by"). */
export function face(user: string, ctx: RowContext): HTMLElement {
  const name = ctx.members.get(user)?.name ?? 'someone';
  const el = h('span', { class: 'face', text: avatarLabel(user, ctx), attrs: { title: name } });
  return tint(el, ctx.colour(user));
}

/**
 * Gives `el` an author's colour (a CSS variable name, RowContext.colour): media/chat.css draws
 * text and border with it, mixed towards the text colour so it reads as text.
 */
export function tint<E extends HTMLElement>(el: E, colour: string): E {
  el.style.setProperty('--author', `var(${colour})`);
  el.classList.add('tinted');
  return el;
}
