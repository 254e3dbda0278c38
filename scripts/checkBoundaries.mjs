// Keeps the runtime boundaries of docs/ARCHITECTURE.md: protocol, infra, client and relay never
// import `vscode` or the host/webview layers; infra (Node infrastructure) imports only protocol;
// the relay never imports the chat client; the webview imports only itself and src/protocol and never
// opens a network connection. Exits 1 with one line per violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mts)$/.test(name) ? [p] : [];
  });
}

const importRe =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
// Rendering-only packages the webview may bundle (no network code in them).
const WEBVIEW_PACKAGES = new Set(['markdown-it', 'lowlight']);
const layerOf = (p) => relative(src, p).split(/[\\/]/)[0];
const problems = [];

for (const file of files(src)) {
  const layer = layerOf(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    const where = `${relative(root, file)}: imports '${spec}'`;
    const target = spec.startsWith('.') ? layerOf(resolve(dirname(file), spec)) : undefined;
    if (layer === 'infra' && target && target !== 'infra' && target !== 'protocol') problems.push(`${where} — infra/ may only use protocol/`);
    if (layer === 'relay' && target === 'client') problems.push(`${where} — the relay does not depend on the chat client (shared code goes in infra/)`);
    if (['protocol', 'infra', 'client', 'relay'].includes(layer)) {
      if (spec === 'vscode') problems.push(`${where} — ${layer}/ must not depend on vscode`);
      if (target === 'host' || target === 'webview') problems.push(`${where} — ${layer}/ must not depend on ${target}/`);
      if (layer === 'protocol' && target && target !== 'protocol') problems.push(`${where} — protocol/ depends on nothing else`);
      if (layer === 'protocol' && !spec.startsWith('.') && spec !== 'zod') problems.push(`${where} — protocol/ may only use zod`);
    }
    if (layer === 'webview') {
      const pkg = spec.startsWith('.')
        ? undefined
        : spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/');
      if (pkg ? !WEBVIEW_PACKAGES.has(pkg) : target !== 'webview' && target !== 'protocol') {
        problems.push(`${where} — the webview may only import itself, src/protocol and ${[...WEBVIEW_PACKAGES].join(', ')}`);
      }
    }
  }
  if (layer === 'webview' && /\b(WebSocket|fetch|XMLHttpRequest|EventSource|sendBeacon)\s*\(/.test(text.replace(/\/\/.*$/gm, ''))) {
    problems.push(`${relative(root, file)}: the webview must not open network connections`);
  }
}

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`boundaries ok (${files(src).length} files)`);
