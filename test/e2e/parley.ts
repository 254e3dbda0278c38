// Helpers for driving Parley in the real VS Code the harness starts: a standalone relay process,
// and a "teammate" (code-server instance + Chromium workbench) with the chat view's actions.
// Selectors come from src/webview/ui; they are the user-visible structure of the chat view.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { findWebviewFrame, openWorkbench, repoRoot, runCommand, screenshot, sleep, stopAll, type Instance, type Workbench } from './harness';

// ---------------------------------------------------------------------------------------------
// Waiting

/**
 * Polls `read` until `ok` accepts its value; on timeout throws with what was seen last. For
 * conditions a locator cannot express (lists, orders, counts). The pause only paces the polling.
 */
export async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await read();
      last = { value };
      if (ok(value)) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const seen = last ? JSON.stringify(last.value) : 'nothing';
      const error = lastError !== undefined ? `; last error: ${String(lastError)}` : '';
      throw new Error(`${what}: not true within ${timeoutMs} ms; last seen: ${seen}${error}`);
    }
    await sleep(100);
  }
}

export function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** A RegExp matching exactly `text` (Playwright normalizes whitespace in text matching). */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

// ---------------------------------------------------------------------------------------------
// The standalone relay (dist/relay.js)

export interface RelayProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the relay printed so far. */
  logs(): string;
  /** SIGTERM (the relay saves and exits), SIGKILL after 5 s; removes its data folder. Idempotent. */
  stop(): Promise<void>;
}

const relays = new Set<ChildProcess>();
const scratchDirs = new Set<string>();
// The harness's signal handlers end the process with process.exit(), which runs this.
process.on('exit', () => {
  for (const child of relays) child.kill('SIGKILL');
  if (process.env.PARLEY_E2E_KEEP) return;
  for (const dir of scratchDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort only.
    }
  }
});

/** A new temp folder, removed by `removeScratchDir` or, at the latest, when the process exits. */
export function makeScratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratchDirs.add(dir);
  return dir;
}

export function removeScratchDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  scratchDirs.delete(dir);
}

/** Starts `node dist/relay.js --port 0 --data <tmp>` and resolves once it logs its address. */
/** Starts dist/relay.js on loopback; `args` add or override options (e.g. `--tls`, `--port`). */
export async function startRelay(timeoutMs = 15_000, args: string[] = []): Promise<RelayProcess> {
  const script = path.join(repoRoot(), 'dist', 'relay.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: build it first with \`npm run package\``);
  const dataDir = makeScratchDir('parley-e2e-relay-');
  const child = spawn(process.execPath, [script, '--port', '0', '--data', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  relays.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => relays.delete(child));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
        if (killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      removeScratchDir(dataDir);
    })());

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the relay did not report its address within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const m = /listening on (wss?):\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[2]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the relay exited (code ${code}, signal ${signal}) before listening:\n${output}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('the relay has no pid');
    const scheme = args.includes('--tls') ? 'wss' : 'ws';
    return { url: `${scheme}://127.0.0.1:${port}`, port, pid, logs: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Processes of a code-server instance

/** Pids of live (non-zombie) extension host processes in a code-server's process group. */
export function liveExtensionHosts(pgid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('--type=extensionHost')) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// A teammate: one code-server instance, one browser window, the Parley chat view in it

export interface MessageRow {
  text: string;
  own: boolean;
  queued: boolean;
  failed: boolean;
}

/** The class VS Code gives a webview's body in each theme (and one it must not have then). */
const THEME_CLASSES = {
  'Light Modern': ['vscode-light', undefined],
  'Dark Modern': ['vscode-dark', undefined],
  'Dark High Contrast': ['vscode-high-contrast', 'vscode-high-contrast-light'],
  'Light High Contrast': ['vscode-high-contrast-light', undefined],
} as const;

export class Teammate {
  private chat: FrameLocator | undefined;

  private constructor(
    readonly name: string,
    readonly instance: Instance,
    readonly workbench: Workbench,
  ) {}

  static async open(name: string, instance: Instance, theme: 'light' | 'dark'): Promise<Teammate> {
    return new Teammate(name, instance, await openWorkbench(instance, { theme }));
  }

  get page(): Page {
    return this.workbench.page;
  }

  /** The chat view's content frame; open the view first (openViewFromActivityBar / openViewByCommand). */
  get view(): FrameLocator {
    if (!this.chat) throw new Error(`${this.name}: the Parley view is not open`);
    return this.chat;
  }

  /** The Parley entry of the activity bar (the `li`, which carries the badge). */
  activityEntry(): Locator {
    return this.page.locator('.activitybar li.action-item').filter({ has: this.page.locator('a[aria-label^="Parley"]') });
  }

  /** What the activity bar shows for Parley: the badge text (if shown) and the entry's label. */
  async activityBadge(): Promise<{ shown: boolean; text: string; label: string }> {
    const entry = this.activityEntry();
    const badge = entry.locator('.badge');
    const shown = (await badge.count()) > 0 && (await badge.first().isVisible());
    const text = shown ? ((await badge.locator('.badge-content').first().textContent()) ?? '').trim() : '';
    return { shown, text, label: (await entry.first().getAttribute('aria-label')) ?? '' };
  }

  /** Opens the Parley view by clicking its activity bar entry (unless it is open already). */
  async openViewFromActivityBar(): Promise<FrameLocator> {
    const entry = this.activityEntry().first();
    await entry.waitFor({ state: 'visible', timeout: 30_000 });
    // (The entry, not its link: a count badge over the link takes the click, as it does for a user.)
    if (!(await this.isViewOpen())) await entry.click();
    await eventually(
      `${this.name}: the Parley view container is shown`,
      () => this.isViewOpen(),
      (open) => open,
      10_000,
    );
    return this.findView();
  }

  /** Opens the Parley view with the command "Parley: Open Chat" (idempotent, unlike a click). */
  async openViewByCommand(): Promise<FrameLocator> {
    await runCommand(this.page, 'Parley: Open Chat', { timeoutMs: 60_000 });
    return this.findView();
  }

  private async isViewOpen(): Promise<boolean> {
    const cls = (await this.activityEntry().first().getAttribute('class')) ?? '';
    return cls.split(/\s+/).includes('checked');
  }

  /** The Parley view VS Code shows by itself (after a reload), found without a command (which would move the focus). */
  waitForView(): Promise<FrameLocator> {
    return this.findView();
  }

  private async findView(): Promise<FrameLocator> {
    // #app is empty until the first snapshot has been rendered (welcome form or chat layout).
    this.chat = await findWebviewFrame(this.page, { selector: '#app > main.welcome, #app > .layout' }, { timeoutMs: 45_000 });
    return this.chat;
  }

  /** Switches the colour theme as a user does; resolves once the chat view is drawn in it. */
  async useTheme(theme: keyof typeof THEME_CLASSES): Promise<void> {
    await pickColorTheme(this.page, theme);
    const [want, not] = THEME_CLASSES[theme];
    await eventually(
      `${this.name}: the chat view is in ${theme}`,
      async () => ((await this.view.locator('body').getAttribute('class')) ?? '').split(/\s+/),
      (c) => c.includes(want) && (not === undefined || !c.includes(not)),
      15_000,
    );
  }

  /** Fills the welcome form and presses "Join team"; resolves when #general is listed. */
  async join(relayUrl: string, secret = ''): Promise<void> {
    const v = this.view;
    await v.locator('#relay-url').fill(relayUrl);
    await v.locator('#display-name').fill(this.name);
    await v.locator('#team-secret').fill(secret);
    await v.getByRole('button', { name: 'Join team' }).click();
    try {
      await this.conversationItem('general').waitFor({ state: 'visible', timeout: 30_000 });
    } catch (err) {
      // Say why: a refusal shows in the form (field errors, "Could not join" banner).
      const form = v.locator('main.welcome');
      const shown = (await form.count()) > 0 ? (await form.first().innerText()).replace(/\s+/g, ' ') : 'no welcome form';
      const url = (await v.locator('#relay-url').count()) > 0 ? await v.locator('#relay-url').inputValue() : '';
      throw new Error(`${this.name} did not join ${relayUrl}: ${String(err)}\nrelay field: "${url}"; the view shows: ${shown}`);
    }
  }

  /** The `li.conv` whose title is exactly `label` (room name without '#', or a person's name). */
  conversationItem(label: string): Locator {
    return this.view.locator('li.conv').filter({ has: this.view.locator('.conv-title', { hasText: exactly(label) }) });
  }

  personItem(name: string): Locator {
    return this.view.locator('li.person').filter({ has: this.view.locator('.person-name', { hasText: exactly(name) }) });
  }

  /** Titles of the conversation list, top to bottom. */
  async conversationTitles(): Promise<string[]> {
    return (await this.view.locator('li.conv .conv-title').allTextContents()).map((t) => t.trim());
  }

  /** The unread badge of a conversation item ('' when it has none). */
  async unreadBadge(label: string): Promise<string> {
    const badge = this.conversationItem(label).locator('.badge');
    return (await badge.count()) > 0 ? ((await badge.first().textContent()) ?? '').trim() : '';
  }

  /** The presence word shown next to a person under "People". */
  async presenceOf(name: string): Promise<string> {
    const state = this.personItem(name).locator('.small');
    return (await state.count()) > 0 ? ((await state.first().textContent()) ?? '').trim() : '';
  }

  /** What the view shows right after opening: 'list', or the open conversation's title. */
  async restoredScreen(): Promise<string> {
    await this.view.locator('#app > .layout').waitFor({ state: 'attached', timeout: 15_000 });
    const cls = (await this.view.locator('#app > .layout').getAttribute('class')) ?? '';
    const title = (await this.view.locator('.chat-header .title').allTextContents()).join('').trim();
    if (cls.includes('wide')) return `list and ${title || 'no conversation'}`;
    return cls.includes('show-chat') ? title : 'list';
  }

  /** In the narrow layout, goes back from a conversation to the list; a no-op when it shows. */
  async showList(): Promise<void> {
    const v = this.view;
    // A thread left open (it stays open across reloads) is in front of the conversation.
    const threadBack = v.locator('.thread-pane .thread-back');
    if (await threadBack.isVisible()) {
      await threadBack.click();
      await v.locator('.thread-pane').waitFor({ state: 'hidden', timeout: 10_000 });
    }
    const back = v.locator('.chat-pane .back-button');
    if (await back.isVisible()) await back.click();
    await v.locator('.side-host .sidebar').waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** Opens a conversation from the list; resolves when its header and composer are shown. */
  async openConversation(label: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.showList();
      try {
        await this.conversationItem(label).click({ timeout: 10_000 });
        break;
      } catch (err) {
        // Just after a reload, a narrow view may still go from the list to the conversation it
        // had open (once the host's snapshot names it): the list item was covered, go back again.
        if (attempt === 3) throw err;
      }
    }
    await this.waitForConversation(label);
  }

  async waitForConversation(label: string): Promise<void> {
    await this.view.locator('.chat-header .title', { hasText: exactly(label) }).waitFor({ state: 'visible', timeout: 15_000 });
    await this.composer().waitFor({ state: 'visible', timeout: 5_000 });
  }

  /** Starts (or opens) a direct message by clicking the person under "People". */
  async openDmWith(name: string): Promise<void> {
    await this.showList();
    await this.personItem(name).click();
    await this.waitForConversation(name);
  }

  composer(): Locator {
    return this.view.locator('.chat-pane textarea.input');
  }

  /** Types `text` into the composer and presses Enter; resolves when the relay has acked it. */
  async send(text: string): Promise<void> {
    const input = this.composer();
    await input.fill(text);
    await input.press('Enter');
    await eventually(
      `${this.name}: the composer is cleared after sending`,
      () => input.inputValue(),
      (v) => v === '',
      5_000,
    );
    await this.sentRow(text).waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** An own message row with exactly this text that is neither queued nor failed. */
  sentRow(text: string): Locator {
    return this.view.locator('.chat-pane .msg.own:not(.queued):not(.failed)').filter({ has: this.view.locator('.body', { hasText: exactly(text) }) });
  }

  /** A message row with exactly this text written by someone else. */
  receivedRow(text: string): Locator {
    return this.view.locator('.chat-pane .msg:not(.own)').filter({ has: this.view.locator('.body', { hasText: exactly(text) }) });
  }

  /** A message row of the open conversation whose body contains `text`. */
  rowContaining(text: string): Locator {
    return this.view.locator('.chat-pane .msg').filter({ has: this.view.locator('.body', { hasText: text }) });
  }

  /** Reacts to a message row as a user does: its toolbar's "Add a reaction", then the emoji in the picker. */
  async react(row: Locator, emoji: string): Promise<void> {
    await row.hover();
    await row.locator('.actions button[aria-label="Add a reaction"]').click();
    const picker = this.view.locator('.emoji-picker');
    await picker.waitFor({ state: 'visible', timeout: 5_000 });
    await picker.locator(`button[aria-label="React with ${emoji}"]`).click();
    await picker.waitFor({ state: 'detached', timeout: 5_000 });
  }

  /** Opens a message's thread from its toolbar ("Reply in thread"). */
  async openThreadOf(row: Locator): Promise<void> {
    await row.hover();
    await row.locator('.actions button[aria-label="Reply in thread"]').click();
    await this.view.locator('.thread-pane').waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** Replies in the open thread; resolves when the relay has acked the reply. */
  async reply(text: string): Promise<void> {
    const input = this.view.locator('.thread-pane textarea.input');
    await input.fill(text);
    await input.press('Enter');
    await eventually(
      `${this.name}: the reply composer is cleared`,
      () => input.inputValue(),
      (v) => v === '',
      5_000,
    );
    await this.view
      .locator('.thread-pane .msg.own:not(.queued):not(.failed)')
      .filter({ has: this.view.locator('.body', { hasText: exactly(text) }) })
      .waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** The open thread as shown: "author: text" per message (root first), and the separator's label. */
  async threadShown(): Promise<string[]> {
    interface El {
      classList: { contains(name: string): boolean };
      querySelector(selector: string): { textContent: string | null } | null;
      textContent: string | null;
    }
    return this.view.locator('.thread-pane .list-inner > *').evaluateAll((els: El[]) => {
      let author = '';
      const out: string[] = [];
      for (const el of els) {
        if (el.classList.contains('day')) out.push(`[${(el.textContent ?? '').trim()}]`);
        if (!el.classList.contains('msg')) continue;
        const a = el.querySelector('.author')?.textContent;
        if (a) author = a.trim();
        out.push(`${author}: ${(el.querySelector('.body')?.textContent ?? '').trim()}`);
      }
      return out;
    });
  }

  /** The thread summary under a root row ("2 replies"), or '' when it shows none. */
  async threadSummary(row: Locator): Promise<string> {
    const s = row.locator('.thread-summary .thread-count');
    return (await s.count()) ? ((await s.textContent()) ?? '').trim() : '';
  }

  /** The message rows of the open conversation, top to bottom (only rows in the DOM: the list is windowed). */
  async messageRows(): Promise<MessageRow[]> {
    // The tests compile without the DOM lib; this is the part of Element the function uses.
    interface RowElement {
      classList: { contains(name: string): boolean };
      querySelector(selector: string): { textContent: string | null } | null;
    }
    return this.view.locator('.chat-pane .msg').evaluateAll((els: RowElement[]) =>
      els.map((el) => ({
        text: (el.querySelector('.body')?.textContent ?? '').trim(),
        own: el.classList.contains('own'),
        queued: el.classList.contains('queued'),
        failed: el.classList.contains('failed'),
      })),
    );
  }

  /**
   * Who wrote the open conversation's messages, as its group headers show it, top to bottom, with
   * repeats collapsed (a new group may start for the same author after five minutes).
   */
  async authors(): Promise<string[]> {
    const names = (await this.view.locator('.chat-pane .msg .author').allTextContents()).map((t) => t.trim());
    return names.filter((n, i) => i === 0 || names[i - 1] !== n);
  }

  /** Leaves the workbench (like closing the browser tab); the browser and its storage stay. */
  async closeWindow(): Promise<void> {
    this.chat = undefined;
    await this.page.goto('about:blank');
  }

  /** Opens the workbench again in the same browser (same origin, so the same secret storage). */
  async reopenWindow(): Promise<void> {
    this.chat = undefined;
    await this.page.goto(`${this.instance.url}/?folder=${encodeURIComponent(this.instance.workspace)}`, { waitUntil: 'domcontentloaded' });
    await this.waitForWorkbench();
  }

  /** Reloads the window (F5 in the browser) and waits for the workbench. */
  async reload(): Promise<void> {
    this.chat = undefined;
    await this.page.reload({ waitUntil: 'domcontentloaded' });
    await this.waitForWorkbench();
  }

  private async waitForWorkbench(): Promise<void> {
    await this.page.locator('.monaco-workbench').first().waitFor({ state: 'attached', timeout: 60_000 });
    await this.page.locator('.statusbar').first().waitFor({ state: 'visible', timeout: 60_000 });
  }
}

/** A clone of a repository (remote `origin` = `remote`) with `files` (relative path → text) committed. */
export function makeRepo(dir: string, remote: string, files: Record<string, string>): void {
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' });
  git('init', '-q');
  git('config', 'user.email', 'e2e@example.invalid');
  git('config', 'user.name', 'e2e');
  git('remote', 'add', 'origin', remote);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  git('add', '.');
  git('commit', '-qm', 'base');
}

/** The editor's cursor/selection status, e.g. "Ln 9, Col 2 (61 selected)". */
export async function selectionStatus(page: Page): Promise<string> {
  return ((await page.locator('.statusbar [id="status.editor.selection"]').first().textContent()) ?? '').trim();
}

/** Types into the quick input a command opened (an input box) and presses Enter. */
export async function answerInput(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(text);
  await input.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Picks the row with this label in the quick pick a command opened. */
export async function answerPick(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const row = widget
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactly(label) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
  await widget.locator('.quick-input-box input').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The modal dialog on screen (VS Code's own, in code-server): its text, then a press on `button`. */
export async function answerDialog(page: Page, button: string): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box').first();
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await dialog.innerText()).replace(/\s+/g, ' ');
  await dialog.locator('.monaco-button', { hasText: button }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  return text;
}

/**
 * The hooks of a scenario suite, whose scenarios build on each other: after a failure, report it
 * (screenshots and logs of every teammate and the relay) and skip the rest, unless `keepsGoing`
 * says that scenario leaves the shared state usable.
 */
export function stopAtFirstFailure(
  mates: () => (Teammate | undefined)[],
  relay: () => RelayProcess | undefined,
  keepsGoing: (title: string) => boolean = () => false,
): void {
  let broken: string | undefined;
  beforeEach(function () {
    if (broken !== undefined) this.skip();
  });
  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    if (!keepsGoing(test.title)) broken = test.title;
    await reportFailure(test.title, mates(), relay());
  });
}

/** Screenshots and logs of every teammate (and the relay) after a failed test. */
export async function reportFailure(title: string, mates: (Teammate | undefined)[], relay: RelayProcess | undefined): Promise<void> {
  const slug = title.replace(/\W+/g, '-').slice(0, 60);
  for (const mate of mates) {
    if (!mate) continue;
    await screenshot(mate.page, `failure-${slug}-${mate.name}`).catch(() => undefined);
    console.log(`--- ${mate.name}: browser console (last 40 lines) ---\n${mate.workbench.console().split('\n').slice(-40).join('\n')}`);
  }
  if (relay) console.log(`--- relay ---\n${relay.logs()}`);
  console.log('(code-server and VS Code logs of each instance: test-results/e2e/logs/<name>/)');
}

/** Ends every instance and browser, then the relay, then removes the scratch folders. */
export async function tearDown(relay: RelayProcess | undefined, dirs: (string | undefined)[]): Promise<void> {
  try {
    await stopAll();
  } finally {
    await relay?.stop();
    for (const d of dirs) if (d) removeScratchDir(d);
  }
}

/** Switches the colour theme with "Preferences: Color Theme", as a user would. */
export async function pickColorTheme(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 5_000 });
  await input.fill('>Preferences: Color Theme');
  await widget
    .locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^\s*Preferences: Color Theme\s*$/ }) })
    .first()
    .click();
  // The list is windowed: filter it, so the theme is among the rows drawn.
  await eventually(
    'the colour theme picker is open',
    async () => (await input.getAttribute('placeholder')) ?? '',
    (p) => p.startsWith('Select Color Theme'),
    10_000,
  );
  await input.fill(label);
  const row = widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${label}\\s*$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
  await input.waitFor({ state: 'hidden', timeout: 5_000 });
}
