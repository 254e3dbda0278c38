/** More than this is not even listed (the host refuses more than MAX_DROPPED with a notice). */
const MAX_LISTED = 1000;
const MAX_URI_CHARS = 4096;

/**
 * The resources dragged from VS Code itself (its Explorer, an editor tab) into the view: VS Code
 * puts them in `application/vnd.code.uri-list` (every one, CRLF-separated) and `resourceurls` (a
 * JSON array). Types arrive lower-cased. Returns the URIs as given (the host checks each one); none
 * for a drop of anything else. `text/uri-list` alone (any program can set it, and VS Code puts only
 * the first file in it) is not taken.
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
  }
  return list.filter((u) => u.length > 0 && u.length <= MAX_URI_CHARS).slice(0, MAX_LISTED);
}

/** Whether a drag carries resources from VS Code (so the composer accepts the drop). */
export function carriesUris(types: readonly string[]): boolean {
  return types.some((t) => ['application/vnd.code.uri-list', 'resourceurls'].includes(t.toLowerCase()));
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}
