/**
 * A remote URL in a form that is the same for every clone of a repository, whatever protocol
 * or credentials each teammate uses: `host/path` without scheme, user, port, `.git` or trailing
 * slash, lower-cased. `git@github.com:Org/Repo.git`, `https://me@github.com/org/repo` and
 * `ssh://git@github.com:22/org/repo.git/` all become `github.com/org/repo`.
 */
export function normalizeRemote(url: string): string | undefined {
  let u = url.trim();
  if (!u) return undefined;
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(u);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      return undefined;
    }
    if (parsed.protocol === 'file:') {
      host = 'file';
      path = parsed.pathname;
    } else {
      host = parsed.hostname;
      path = parsed.pathname;
    }
  } else if (scp && !/^[a-zA-Z]:[\\/]/.test(u)) {
    host = scp[1];
    path = scp[2];
  } else {
    // A local path used as a remote.
    host = 'file';
    path = u.replace(/\\/g, '/');
  }
  path = path
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/^\/+/, '')
    .replace(/\/+/g, '/');
  if (!host || !path) return undefined;
  u = `${host}/${path}`.toLowerCase();
  return u;
}
