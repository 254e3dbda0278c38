import { UserName } from './wire';

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
  const parsed = UserName.safeParse(n);
  if (!parsed.success) {
    return { ok: false, field: 'name', message: n ? `Display name: ${parsed.error.issues[0]?.message ?? 'invalid'} (1–32 characters)` : 'Enter a display name' };
  }
  if (secret.length > 0 && secret.length < 8) return { ok: false, field: 'secret', message: 'A team secret has at least 8 characters' };
  const clean = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  return { ok: true, url: clean, name: n };
}
