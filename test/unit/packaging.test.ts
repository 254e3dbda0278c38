// What the .vsix holds, as `vsce ls` lists it with the package script's options: the extension's
// bundles and not the standalone relay, a PNG icon, and a README whose every image is inlined
// (VS Code's Extensions view resolves a README's relative image paths against the workbench, so
// only data: images show for a package installed from a .vsix).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
interface Step {
  id: string;
  description: string;
  media: { image?: string };
  completionEvents?: string[];
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  icon?: string;
  preview?: boolean;
  categories: string[];
  scripts: Record<string, string>;
  contributes: { commands: { command: string }[]; walkthroughs?: { id: string; steps: Step[] }[] };
};
/** VS Code's own commands a walkthrough may link to. */
const BUILT_IN = new Set(['workbench.action.openSettings']);

describe('the .vsix', () => {
  let files: string[];

  before(function () {
    this.timeout(60_000);
    const readme = /--readme-path (\S+)/.exec(pkg.scripts.package)?.[1];
    assert.equal(readme, 'dist/README.md', 'the package script ships the generated README');
    execFileSync(process.execPath, [join(root, 'scripts', 'packagedReadme.mjs')], { cwd: root });
    const out = execFileSync(join(root, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies', '--readme-path', readme], { cwd: root, encoding: 'utf8' });
    files = out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  });

  it('holds the bundles the extension loads, not dist/relay.js', () => {
    for (const f of ['dist/extension.js', 'dist/webview.js', 'dist/node-sqlite3-wasm.wasm', 'media/chat.css', 'CHANGELOG.md', 'LICENSE'])
      assert.ok(files.includes(f), `${f} is packaged`);
    assert.ok(!files.includes('dist/relay.js'), 'the standalone relay is not packaged (the extension never loads it)');
    assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps');
  });

  it('has a PNG icon of 128×128, a preview flag and a category other than Other or Chat', () => {
    assert.ok(pkg.icon && files.includes(pkg.icon), `the icon ${pkg.icon} is packaged`);
    const png = readFileSync(join(root, pkg.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'width and height from the IHDR chunk');
    assert.equal(pkg.preview, true);
    assert.ok(pkg.categories.length > 0 && pkg.categories.every((c) => c !== 'Other' && c !== 'Chat'), pkg.categories.join(', '));
  });

  it('ships a README with every screenshot of docs/README.extension.md inlined', () => {
    const images = (text: string) => [...text.matchAll(/!\[([^\]]*)\]\(([^)\s]+)\)/g)].map((m) => ({ alt: m[1], src: m[2] }));
    const source = images(readFileSync(join(root, 'docs', 'README.extension.md'), 'utf8'));
    const shipped = images(readFileSync(join(root, 'dist', 'README.md'), 'utf8'));
    assert.ok(source.length >= 3, `the README shows screenshots (${source.length})`);
    assert.deepEqual(
      shipped.map((i) => i.alt),
      source.map((i) => i.alt),
    );
    shipped.forEach((img, n) => {
      assert.ok(img.src.startsWith('data:image/png;base64,'), `${img.alt}: inlined`);
      assert.ok(Buffer.from(img.src.slice(22), 'base64').equals(readFileSync(join(root, source[n].src))), `${img.alt}: the bytes of ${source[n].src}`);
    });
  });

  it('has a Getting Started walkthrough whose images are packaged and whose links and events are real', () => {
    const [walk] = pkg.contributes.walkthroughs ?? [];
    assert.ok(walk && walk.steps.length >= 4, 'a walkthrough of four steps or more');
    const ours = new Set(pkg.contributes.commands.map((c) => c.command));
    const sources = readdirSync(join(root, 'src', 'host'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(root, 'src', 'host', f), 'utf8'))
      .join('\n');
    for (const step of walk.steps) {
      assert.ok(step.media.image && files.includes(step.media.image), `${step.id}: its image ${step.media.image} is packaged`);
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${step.id}: offers a command`);
      for (const c of links) assert.ok(ours.has(c) || BUILT_IN.has(c), `${step.id}: links to ${c}, which exists`);
      assert.ok((step.completionEvents ?? []).length > 0, `${step.id}: can be completed`);
      for (const e of step.completionEvents ?? []) {
        const [kind, what] = e.split(/:(.*)/);
        if (kind === 'onCommand') assert.ok(ours.has(what) || BUILT_IN.has(what), `${step.id}: ${e}`);
        else if (kind === 'onContext') assert.ok(sources.includes(`'${what}'`), `${step.id}: ${e} is a context key the extension sets`);
        else assert.equal(kind, 'onSettingChanged', `${step.id}: ${e}`);
      }
    }
  });
});
