// Stored bodies are checked once more when read back: a cache written by a faulty build or a
// damaged file must cost one message, never the whole chat view.

/**
 * Why a stored body cannot be shown (a cache written by a faulty build, a damaged file), or
 * undefined when it can. Cheap: it runs for every message of every snapshot. One such message is
 * shown as unreadable; it never takes the rest of the conversation down with it.
 */
export function unreadableBody(b: unknown): string | undefined {
  if (typeof b !== 'object' || b === null) return `its body is ${b === null ? 'null' : typeof b}`;
  const o = b as Record<string, unknown>;
  if (typeof o.kind !== 'string') return 'its body has no kind';
  const str = (k: string) => typeof o[k] === 'string';
  switch (o.kind) {
    case 'text':
      return str('text') ? undefined : 'a text message without text';
    case 'snippet': {
      const lines = o.lines as { start?: unknown; end?: unknown } | undefined;
      return str('code') && typeof lines?.start === 'number' && typeof lines?.end === 'number' ? undefined : 'a snippet without code or lines';
    }
    case 'file':
      return str('file') && str('name') && typeof o.size === 'number' && str('sha256') ? undefined : 'a file without its name, size or hash';
    case 'topic':
      return str('text') ? undefined : 'a topic notice without text';
    default:
      return undefined;
  }
}
