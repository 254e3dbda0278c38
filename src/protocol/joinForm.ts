import { USER_NAME_MAX, USER_NAME_PATTERN } from './nameRule';

export type JoinCheck = { ok: true; url: string; name: string } | { ok: false; field: 'relayUrl' | 'name' | 'secret'; message: string };

/** Checks what a user typed into the join form; the message says what to fix. */
export function checkJoin(relayUrl: string, name: string, secret: string): JoinCheck {
  const raw = relayUrl.trim();
  if (!raw) return { ok: false, field: 'relayUrl', message: 'Enter the relay address, e.g. ws://192.168.1.20:7420' };
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `ws://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, field: 'relayUrl', message: `"${raw}" is not an address; use host:port or ws://host:port` };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, field: 'relayUrl', message: `use ws:// or wss://, not ${url.protocol}//` };
  }
  if (!url.hostname) return { ok: false, field: 'relayUrl', message: 'the address has no host name' };
  if (!url.port) url.port = url.protocol === 'wss:' ? '443' : '7420';
  const n = name.normalize('NFC').trim();
  const problem = nameProblem(n);
  if (problem) return { ok: false, field: 'name', message: problem };
  // nameProblem names what is wrong; this is the rule itself (wire.ts's UserName), in case it ever says less.
  if (!USER_NAME_PATTERN.test(n) || n.length > USER_NAME_MAX)
    return { ok: false, field: 'name', message: `Display name: letters, digits, . _ - and starting with a letter or digit (1–${USER_NAME_MAX} characters)` };
  if (secret.length > 0 && secret.length < 8) return { ok: false, field: 'secret', message: 'A team secret has at least 8 characters' };
  const clean = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  return { ok: true, url: clean, name: n };
}

/** The longest display name (UserName in wire.ts). */
export const NAME_MAX = USER_NAME_MAX;

/** A character quoted for a message: '" "', '"!"'; invisible ones (tab, zero-width, marks) by code point. */
function quote(ch: string): string {
  return ch !== ' ' && /^[\s\p{C}\p{M}]$/u.test(ch) ? `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}` : `"${ch}"`;
}

function orList(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : (items[0] ?? '');
}

/**
 * What is wrong with a display name (already NFC-normalized and trimmed), naming the characters
 * that are not allowed; undefined when it is fine. The rules are UserName's in wire.ts.
 */
export function nameProblem(n: string): string | undefined {
  if (!n) return 'Enter a display name';
  const bad: string[] = [];
  for (const ch of Array.from(n)) if (!/^[\p{L}\p{N}._-]$/u.test(ch) && !bad.includes(ch)) bad.push(ch);
  if (bad.length) {
    const shown = bad.slice(0, 5).map(quote);
    if (bad.length > 5) shown.push('others');
    return `Names may use letters, digits, . _ -; not ${orList(shown)}`;
  }
  if (!/^[\p{L}\p{N}]/u.test(n)) return `Start the name with a letter or digit, not ${quote(Array.from(n)[0])}`;
  if (n.length > NAME_MAX) return `Names have at most ${NAME_MAX} characters; this one has ${n.length}`;
  return undefined;
}
