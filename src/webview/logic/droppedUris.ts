/** At most this many files are sent from one drop (a whole folder's selection is likely a slip). */
export const MAX_DROPPED = 20;
const MAX_URI_CHARS = 4096;

/**
 * The resources dragged from VS Code itself (its Explorer, an editor tab) into the view: VS Code
 * puts them in `application/vnd.code.uri-list` (every one, CRLF-separated) and `resourceurls` (a
 * JSON array); `text/uri-list` holds only the first. Types arrive lower-cased. Returns the URIs as
 * given (the host checks each one), at most MAX_DROPPED; none for a drop of anything else.
 */
export function droppedUris(types: readonly string[], get: (type: string) => string): string[] {
  const has = (t: string) => types.some((x) => x.toLowerCase() === t);
  let list: string[] = [];
  if (has('application/vnd.code.uri-list')) list = lines(get('application/vnd.code.uri-list'));
  else if (has('resourceurls')) {
    try {
      const parsed: unknown = JSON.parse(get('resourceurls'));
      if (Array.isArray(parsed)) list = parsed.filter((u): u is string => typeof u === 'string');
    } catch {
      list = [];
    }
  } else if (has('text/uri-list')) list = lines(get('text/uri-list'));
  return list.filter((u) => u.length > 0 && u.length <= MAX_URI_CHARS).slice(0, MAX_DROPPED);
}

/** Whether a drag carries resources from VS Code (so the composer accepts the drop). */
export function carriesUris(types: readonly string[]): boolean {
  return types.some((t) => ['application/vnd.code.uri-list', 'resourceurls', 'text/uri-list'].includes(t.toLowerCase()));
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}
