// Here rather than in client/ because the webview shows file sizes too and may import only
// src/protocol; the host's messages and the webview's cards then say the same "1.5 MB".

/** A size as people read it: 512 B, 2.0 KB, 1.5 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
