// Smoke test in a real VS Code (code-server + Chromium). Needs parley.vsix (npm run package) and
// test/e2e/install.sh. Run: npx mocha --no-config out/test/e2e/smoke.e2e.js --timeout 120000
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  describeResult,
  findWebviewFrame,
  openWorkbench,
  repoRoot,
  runExtensionTests,
  screenshot,
  startInstance,
  stopAll,
  type Instance,
  type Workbench,
} from './harness';
import { answerPick, eventually } from './parley';

const vsix = path.join(repoRoot(), 'parley.vsix');

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

describe('Parley in a real VS Code (smoke)', function () {
  let workspace: string;
  let instance: Instance | undefined;
  let workbench: Workbench | undefined;

  before(function () {
    if (!fs.existsSync(vsix)) {
      throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
    }
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-workspace-'));
    fs.writeFileSync(path.join(workspace, 'README.md'), '# e2e workspace\n');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) {
      const name = `failure-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await screenshot(workbench.page, name).catch(() => undefined);
      console.log(`--- browser console ---\n${workbench.console()}`);
      if (instance) console.log(`--- code-server ---\n${instance.logs()}`);
    }
  });

  after(async function () {
    await stopAll();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('shows the Parley container in the activity bar', async function () {
    let t = Date.now();
    instance = await startInstance({ name: 'smoke', vsix, workspace });
    console.log(`      instance healthy in ${elapsed(t)}`);
    t = Date.now();
    workbench = await openWorkbench(instance, { theme: 'dark' });
    console.log(`      workbench ready in ${elapsed(t)}`);
    const entry = workbench.page.locator('.activitybar .action-item a[aria-label^="Parley"]');
    await entry.first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(workbench.page, 'smoke-activitybar');
  });

  it('shows the packaged README in the Extensions view, with its icon and every screenshot loaded', async function () {
    this.timeout(120_000);
    if (!workbench || !instance) this.skip();
    const page = workbench.page;
    // The Extensions view lists what is installed (the gallery is off in these instances).
    await page.locator('.activitybar a[aria-label^="Extensions"]').first().click();
    const item = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'Parley' }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    await item.click();
    // The README renders in a webview of the extension's editor; its images load from the package.
    const readme = await findWebviewFrame(page, { selector: 'h1#parley--team-chat-in-vs-code, h1' }, { timeoutMs: 30_000 });
    const images = readme.locator('img');
    const loaded = await eventually(
      'every README image has loaded',
      () => images.evaluateAll((els) => (els as HTMLImageElement[]).map((e) => ({ src: e.src, ok: e.complete && e.naturalWidth > 0 }))),
      (xs) => xs.length >= 5 && xs.every((x) => x.ok),
      20_000,
    );
    const icon = page.locator('.extension-editor .header .icon').first();
    const iconWidth = await icon.evaluate((e) => (e as HTMLImageElement).naturalWidth ?? 0);
    assert.ok(iconWidth >= 128, `the icon is the 128 px PNG (${iconWidth})`);
    assert.match((await page.locator('.extension-editor .header').first().innerText()).replace(/\s+/g, ' '), /Preview/, 'marked as a preview');
    await screenshot(page, 'smoke-extensions-view-readme');
    console.log(`      README with ${loaded.length} images, icon ${iconWidth} px`);
  });

  it('offers the Getting Started walkthrough, its steps with their images', async function () {
    this.timeout(120_000);
    if (!workbench || !instance) this.skip();
    const page = workbench.page;
    // The README's webview has the keyboard: give it back to the workbench (F1 opens the palette there).
    await page.locator('.activitybar a[aria-label^="Explorer"]').first().click();
    // (Not runCommand: this command answers with a quick pick of its own, in the same widget.)
    await page.keyboard.press('F1');
    const palette = page.locator('.quick-input-widget .quick-input-box input');
    await palette.fill('>Welcome: Open Walkthrough...');
    await page
      .locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: /^Welcome: Open Walkthrough\.\.\.$/ }) })
      .first()
      .click();
    await answerPick(page, 'Get started with Parley');
    const steps = page.locator('.gettingStartedContainer .getting-started-step');
    await eventually(
      'the walkthrough lists its four steps',
      async () => (await steps.locator('.step-title').allInnerTexts()).map((t) => t.trim()),
      (t) => ['Join your team', 'Or host one on this machine', 'Send code with its context', 'Choose what notifies you'].every((x) => t.includes(x)),
      20_000,
    );
    const image = page.locator('.gettingStartedContainer .getting-started-media img').first();
    await eventually(
      "the open step's image has loaded",
      () => image.evaluate((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth > 0),
      (ok) => ok,
      20_000,
    );
    await screenshot(page, 'smoke-walkthrough');
    await workbench.close();
    await instance.stop();
  });

  it('passes the extension-host suite against the real vscode API', async function () {
    const t = Date.now();
    const run = await runExtensionTests({
      vsix,
      testsPath: path.join(__dirname, 'extensionHost', 'index.js'),
      workspace,
      name: 'smoke-extension-host',
    });
    const { serverMs, pageMs, suiteMs } = run.durations;
    console.log(`      server ${serverMs} ms, page ${pageMs} ms, suite ${suiteMs} ms, total ${elapsed(t)}`);
    console.log(describeResult(run.result).replace(/^/gm, '      '));
    assert.equal(run.result.failures, 0);
  });
});
