// Writes dist/README.md, the README the .vsix ships (npm run package), from
// docs/README.extension.md with its screenshots inlined as data: URIs. VS Code's Extensions view
// resolves a README's relative image paths against the workbench, not the package, and Parley has
// no web home to point absolute URLs at; the view's content policy admits data: images.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = readFileSync(join(root, 'docs', 'README.extension.md'), 'utf8');
let count = 0;
const out = source
  // The note for maintainers at the top is not for users.
  .replace(/^<!--[\s\S]*?-->\n+/, '')
  .replace(/!\[([^\]]*)\]\((docs\/screenshots\/[\w.-]+\.png)\)/g, (_, alt, path) => {
    count++;
    return `![${alt}](data:image/png;base64,${readFileSync(join(root, path)).toString('base64')})`;
  });
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'README.md'), out);
console.log(`dist/README.md: ${count} screenshots inlined, ${(out.length / 1024).toFixed(0)} KB`);
