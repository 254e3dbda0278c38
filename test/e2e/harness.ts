// Real-VS-Code harness: code-server instances driven by playwright-core + Debian Chromium.
// How and why it works this way, and the quirks found building it: test/e2e/README.md.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.100.3';
const CHROMIUM = process.env.PARLEY_E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' } as const;

const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
  'chat.commandCenter.enabled': false,
  // Network rule for tests: multicast DNS only on loopback, never on the machine's real interfaces.
  'parley.discovery.interface': 'loopback',
};

// ---------------------------------------------------------------------------------------------
// Paths

let cachedRepoRoot: string | undefined;

/** The repository root: the nearest folder above this file whose package.json is Parley's. */
export function repoRoot(): string {
  if (cachedRepoRoot) return cachedRepoRoot;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const parsed: unknown = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (isRecord(parsed) && parsed.name === 'parley') return (cachedRepoRoot = dir);
    }
    if (path.dirname(dir) === dir) throw new Error(`no Parley package.json above ${__dirname}`);
  }
}

export function resultsDir(): string {
  const dir = path.join(repoRoot(), 'test-results', 'e2e');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Where test/e2e/install.sh puts code-server. */
export function codeServerHome(): string {
  const e2eHome = process.env.PARLEY_E2E_HOME ?? path.join(os.homedir(), '.cache', 'parley-e2e');
  return path.join(e2eHome, `code-server-${CODE_SERVER_VERSION}`);
}

function codeServerEntry(): string {
  const entry = path.join(codeServerHome(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(entry)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} not found at ${entry}; run test/e2e/install.sh first`);
  }
  if (process.versions.node.split('.')[0] !== '20') {
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20; this is Node ${process.versions.node}`);
  }
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Cleanup registry: everything started is stopped by stopAll(), and killed on process exit.

interface Resource {
  label: string;
  /** Process group to SIGKILL synchronously if the process exits with this still running. */
  pgid?: number;
  /** Folder to remove on such an exit. */
  dir?: string;
  stop(): Promise<void>;
}

const live: Resource[] = [];

function track(resource: Resource): void {
  live.push(resource);
}

function untrack(resource: Resource): void {
  const i = live.indexOf(resource);
  if (i >= 0) live.splice(i, 1);
}

/** Stops every instance and browser still running, newest first (browsers before servers). */
export async function stopAll(): Promise<void> {
  const errors: string[] = [];
  while (live.length > 0) {
    const resource = live[live.length - 1];
    try {
      await resource.stop();
    } catch (err) {
      errors.push(`${resource.label}: ${String(err)}`);
    }
    untrack(resource);
  }
  if (errors.length > 0) throw new Error(`stopAll: ${errors.join('; ')}`);
}

function killAllGroupsSync(): void {
  for (const r of live) {
    if (r.pgid !== undefined) signalGroup(r.pgid, 'SIGKILL');
  }
  if (process.env.PARLEY_E2E_KEEP) return;
  for (const r of live) {
    try {
      if (r.dir !== undefined) fs.rmSync(r.dir, { recursive: true, force: true });
    } catch {
      // Best effort only.
    }
  }
}

process.on('exit', killAllGroupsSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAllGroupsSync();
    // Only this handler: keep the default behaviour of dying on the signal.
    if (process.listenerCount(signal) === 1) process.exit(128 + os.constants.signals[signal]);
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Live (non-zombie) members of a process group; zombies left to a non-reaping init don't count. */
function groupAlive(pgid: number): boolean {
  if (!fs.existsSync('/proc/self/stat')) return signalGroup(pgid, 0);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

async function waitUntil(check: () => boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
}

async function killGroup(pgid: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  if (await waitUntil(() => !groupAlive(pgid), 5000)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitUntil(() => !groupAlive(pgid), 3000);
}

// ---------------------------------------------------------------------------------------------
// code-server instances

export interface InstanceOptions {
  /** Short name, used for temp folders and saved logs. */
  name: string;
  /** Installed with --install-extension before the server starts. */
  vsix?: string;
  /** Folder the workbench opens. */
  workspace: string;
  /** Extra environment for code-server and so for its extension host. */
  env?: Record<string, string>;
  /** Merged over the harness's user settings (welcome page, trust, telemetry, updates off). */
  settings?: Record<string, unknown>;
}

export interface Instance {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly root: string;
  readonly workspace: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** Process id of code-server, also its process-group id. */
  readonly pid: number;
  /** code-server's stdout and stderr so far. */
  logs(): string;
  /** Text of VS Code's log files (server, remote extension host, ...) under the user-data-dir. */
  vscodeLogs(): string;
  /** Merges settings into the instance's user settings.json; open workbenches pick them up. */
  updateSettings(settings: Record<string, unknown>): void;
  /** Ends the whole process group (TERM, then KILL); safe to call more than once. */
  stop(): Promise<void>;
}

export async function startInstance(opts: InstanceOptions): Promise<Instance> {
  const entry = codeServerEntry();
  if (opts.vsix !== undefined && !fs.existsSync(opts.vsix)) throw new Error(`vsix not found: ${opts.vsix}`);
  if (!fs.existsSync(opts.workspace)) throw new Error(`workspace not found: ${opts.workspace}`);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), `parley-e2e-${safeName(opts.name)}-`));
  const dirs = {
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    tmp: path.join(root, 'tmp'),
    xdgConfig: path.join(root, 'xdg', 'config'),
    xdgData: path.join(root, 'xdg', 'data'),
    xdgCache: path.join(root, 'xdg', 'cache'),
    xdgState: path.join(root, 'xdg', 'state'),
    xdgRuntime: path.join(root, 'xdg', 'runtime'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  writeJson(settingsFile, { ...BASE_SETTINGS, ...opts.settings });
  // code-server is a remote window: `machine`-scoped settings (Parley's relay and hosting ones)
  // are read from the remote machine's settings, <user-data-dir>/Machine/settings.json, and
  // ignored in User/settings.json. Parley's settings go in both.
  const machineFile = path.join(dirs.userData, 'Machine', 'settings.json');
  fs.mkdirSync(path.dirname(machineFile), { recursive: true });
  const parleyOnly = (all: Record<string, unknown>) => Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('parley.')));
  writeJson(machineFile, parleyOnly({ ...BASE_SETTINGS, ...opts.settings }));

  const port = await freePort();
  const config = path.join(root, 'config.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const env = isolatedEnv(dirs, opts.env);
  const common = ['--config', config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  if (opts.vsix !== undefined) {
    const install = await runToEnd(process.execPath, [entry, ...common, '--install-extension', opts.vsix, '--force'], {
      cwd: root,
      env,
    });
    if (install.code !== 0 || !/successfully installed/i.test(install.output)) {
      fs.rmSync(root, { recursive: true, force: true });
      throw new Error(`installing ${opts.vsix} failed (exit ${install.code}):\n${install.output}`);
    }
  }

  const args = [
    entry,
    ...common,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    opts.workspace,
  ];
  // detached: the child calls setsid(), so it leads a process group that stop() can end whole.
  const child = spawn(process.execPath, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not start');
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `code-server exited (code ${code}, signal ${signal})`;
  });

  let stopping: Promise<void> | undefined;
  const resource: Resource = { label: `code-server ${opts.name}`, pgid: pid, dir: root, stop: () => instance.stop() };
  const instance: Instance = {
    name: opts.name,
    url: `http://127.0.0.1:${port}`,
    port,
    root,
    workspace: opts.workspace,
    userDataDir: dirs.userData,
    extensionsDir: dirs.extensions,
    pid,
    logs: () => output.join(''),
    vscodeLogs: () => readLogTree(path.join(dirs.userData, 'logs')),
    updateSettings(settings) {
      const current: unknown = fs.existsSync(settingsFile) ? JSON.parse(fs.readFileSync(settingsFile, 'utf8')) : {};
      writeJson(settingsFile, { ...(isRecord(current) ? current : {}), ...settings });
      const machine: unknown = fs.existsSync(machineFile) ? JSON.parse(fs.readFileSync(machineFile, 'utf8')) : {};
      writeJson(machineFile, { ...(isRecord(machine) ? machine : {}), ...parleyOnly(settings) });
    },
    stop() {
      stopping ??= (async () => {
        await killGroup(pid);
        untrack(resource);
        saveLogs(opts.name, output.join(''), path.join(dirs.userData, 'logs'));
        if (!process.env.PARLEY_E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  track(resource);

  const healthy = await waitForHealth(port, 30_000, () => exited);
  if (!healthy.ok) {
    await instance.stop();
    throw new Error(`code-server ${opts.name} did not become healthy: ${healthy.reason}\n${output.join('')}`);
  }
  return instance;
}

function isolatedEnv(
  dirs: { tmp: string; xdgConfig: string; xdgData: string; xdgCache: string; xdgState: string; xdgRuntime: string },
  extra: Record<string, string> | undefined,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Variables of a surrounding VS Code (e.g. VSCODE_IPC_HOOK_CLI) would make code-server talk to it.
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') continue;
    env[key] = value;
  }
  return {
    ...env,
    EXTENSIONS_GALLERY: '{}',
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_STATE_HOME: dirs.xdgState,
    XDG_RUNTIME_DIR: dirs.xdgRuntime,
    ...extra,
  };
}

async function waitForHealth(port: number, timeoutMs: number, exited: () => string | undefined): Promise<{ ok: true } | { ok: false; reason: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone !== undefined) return { ok: false, reason: gone };
    if (await httpOk(`http://127.0.0.1:${port}/healthz`)) return { ok: true };
    await sleep(100);
  }
  return { ok: false, reason: `no answer from /healthz within ${timeoutMs} ms` };
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function runToEnd(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function readLogTree(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  const parts: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const file = path.join(current, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile() && entry.name.endsWith('.log')) {
        parts.push(`==> ${path.relative(dir, file)} <==\n${fs.readFileSync(file, 'utf8')}`);
      }
    }
  };
  walk(dir);
  return parts.join('\n');
}

/** Keeps code-server's output and VS Code's log folder in test-results/e2e/logs/<name>/. */
function saveLogs(name: string, output: string, vscodeLogDir: string): void {
  try {
    const dest = path.join(resultsDir(), 'logs', safeName(name));
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(dest, { recursive: true });
    fs.writeFileSync(path.join(dest, 'code-server.log'), output);
    if (fs.existsSync(vscodeLogDir)) fs.cpSync(vscodeLogDir, path.join(dest, 'vscode'), { recursive: true });
  } catch {
    // Best effort only.
  }
}

// ---------------------------------------------------------------------------------------------
// Browser

export interface Workbench {
  page: Page;
  context: BrowserContext;
  /** Browser console messages and page errors, for failure reports. */
  console(): string;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  /**
   * Sets `workbench.colorTheme` in the instance's user settings before loading. Settings are per
   * instance, so every window of that instance follows the last theme set.
   */
  theme?: 'light' | 'dark';
  timeoutMs?: number;
}

export async function openWorkbench(instance: Instance, opts: WorkbenchOptions = {}): Promise<Workbench> {
  if (opts.theme) instance.updateSettings({ 'workbench.colorTheme': THEMES[opts.theme] });
  const workbench = await launchBrowser(instance.name);
  try {
    await workbench.page.goto(workbenchUrl(instance), { waitUntil: 'domcontentloaded' });
    await waitForWorkbench(workbench.page, opts.timeoutMs ?? 60_000);
  } catch (err) {
    await workbench.close();
    throw err;
  }
  return workbench;
}

function workbenchUrl(instance: Instance, payload?: [string, string][]): string {
  let url = `${instance.url}/?folder=${encodeURIComponent(instance.workspace)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

async function waitForWorkbench(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await page.locator('.monaco-workbench').first().waitFor({ state: 'attached', timeout: timeoutMs });
  await page
    .locator('.statusbar')
    .first()
    .waitFor({ state: 'visible', timeout: Math.max(1, deadline - Date.now()) });
}

async function launchBrowser(name: string): Promise<Workbench> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found; run test/e2e/install.sh first`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `parley-e2e-browser-${safeName(name)}-`));
  const profile = path.join(root, 'profile');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(tmp);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, {
    TMPDIR: tmp,
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_CACHE_HOME: path.join(root, 'cache'),
    XDG_DATA_HOME: path.join(root, 'data'),
    XDG_STATE_HOME: path.join(root, 'state'),
  });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env,
    viewport: { width: 1280, height: 800 },
    // "Copy Invite" writes the clipboard; the hosting scenario reads it back.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const messages: string[] = [];
  page.on('console', (msg) => messages.push(`[${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => messages.push(`[pageerror] ${err.message}`));

  let closing: Promise<void> | undefined;
  const resource: Resource = { label: `chromium ${name}`, dir: root, stop: () => workbench.close() };
  const workbench: Workbench = {
    page,
    context,
    console: () => messages.join('\n'),
    close() {
      closing ??= (async () => {
        try {
          await context.close();
        } finally {
          untrack(resource);
          fs.rmSync(root, { recursive: true, force: true });
        }
      })();
      return closing;
    },
  };
  track(resource);
  return workbench;
}

// ---------------------------------------------------------------------------------------------
// Driving the workbench

/**
 * Runs a command from the F1 palette by its full label (e.g. "Parley: Open Chat"). Commands of an
 * extension appear only once its extension host is up, so the palette is retried until timeout.
 */
export async function runCommand(page: Page, title: string, opts: { timeoutMs?: number; answersWithPick?: boolean } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const row = widget
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) })
    .first();
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ state: 'visible', timeout: Math.min(3000, Math.max(1, deadline - Date.now())) });
      await row.click();
      // A command that answers with a quick pick of its own keeps the widget open (answerPick next).
      if (!opts.answersWithPick) await input.waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch {
      // Not (yet) in the palette.
    }
    await page.keyboard.press('Escape');
    if (Date.now() >= deadline) {
      throw new Error(`command "${title}" did not appear in the command palette within ${timeoutMs} ms`);
    }
    await sleep(500);
  }
}

export type WebviewMatch = string | RegExp | { selector: string };

/**
 * The content frame of the first webview showing `match` (text, or `{ selector }`). Webviews are
 * two nested iframes and the outer one carries no useful title, so each is polled in turn.
 */
export async function findWebviewFrame(page: Page, match: WebviewMatch, opts: { timeoutMs?: number } = {}): Promise<FrameLocator> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const outer = page.locator('iframe.webview.ready');
  for (;;) {
    const count = await outer.count();
    for (let i = 0; i < count; i++) {
      const frame = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
      const probe = typeof match === 'object' && !(match instanceof RegExp) ? frame.locator(match.selector) : frame.getByText(match);
      try {
        if ((await probe.count()) > 0) return frame;
      } catch {
        // Frame detached or not loaded yet.
      }
    }
    if (Date.now() >= deadline) {
      throw new Error(`no webview showing ${describeMatch(match)} within ${timeoutMs} ms (${count} webviews open)`);
    }
    await sleep(250);
  }
}

/** Saves a PNG under test-results/e2e/ (or at an absolute path); returns the file written. */
export async function screenshot(page: Page, file: string): Promise<string> {
  let target = path.isAbsolute(file) ? file : path.join(resultsDir(), file);
  if (!target.endsWith('.png')) target += '.png';
  fs.mkdirSync(path.dirname(target), { recursive: true });
  await page.screenshot({ path: target });
  return target;
}

// ---------------------------------------------------------------------------------------------
// Mocha suites inside code-server's extension host

export interface ExtensionTestOptions {
  /** Test an installed .vsix ... */
  vsix?: string;
  /** ... or an unpacked extension folder (exactly one of the two). */
  extensionDevelopmentPath?: string;
  /** Absolute path of a compiled CommonJS module exporting `run(): Promise<void>`. */
  testsPath: string;
  workspace: string;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  timeoutMs?: number;
  name?: string;
}

/** What the suite writes to the file named by PARLEY_TEST_RESULT (see extensionHost/index.ts). */
export interface SuiteResult {
  status: 'passed' | 'failed';
  passes: number;
  failures: number;
  pending: number;
  tests: { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number; error?: string }[];
  error?: string;
}

export interface ExtensionTestRun {
  result: SuiteResult;
  /** Everything the page logged through codeAutomationLog (mocha's reporter among it). */
  output: string;
  durations: { serverMs: number; pageMs: number; suiteMs: number };
}

export const TEST_RESULT_ENV = 'PARLEY_TEST_RESULT';
const RUNNER_OK_LINE = 'Test runner finished successfully';

/**
 * Runs a mocha suite in a fresh code-server's extension host through the workbench `payload`
 * (code-server has no --extensionTestsPath). Resolves only if the page reported exit code 0, the
 * suite's result file says every test passed (at least one), and the extension host logged
 * "Test runner finished successfully"; otherwise rejects with the output.
 */
export async function runExtensionTests(opts: ExtensionTestOptions): Promise<ExtensionTestRun> {
  if ((opts.vsix === undefined) === (opts.extensionDevelopmentPath === undefined)) {
    throw new Error('runExtensionTests: give exactly one of vsix and extensionDevelopmentPath');
  }
  if (!path.isAbsolute(opts.testsPath) || !fs.existsSync(opts.testsPath)) {
    throw new Error(`runExtensionTests: testsPath must be an existing absolute path: ${opts.testsPath}`);
  }
  const name = opts.name ?? 'extension-tests';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-suite-'));
  const resultFile = path.join(scratch, 'result.json');
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const t0 = Date.now();
  let instance: Instance | undefined;
  let workbench: Workbench | undefined;
  try {
    instance = await startInstance({
      name,
      vsix: opts.vsix,
      workspace: opts.workspace,
      // CI makes the extension host log "Test runner finished successfully".
      env: { CI: '1', ...opts.env, [TEST_RESULT_ENV]: resultFile },
      settings: opts.settings,
    });
    const t1 = Date.now();

    // VS Code launches the tests in the extension host that runs the extension containing
    // extensionTestsPath. For a vsix, or a suite outside the development folder, a tiny carrier
    // extension holds a shim that requires the real suite.
    let devPath = opts.extensionDevelopmentPath;
    let testsPath = opts.testsPath;
    if (devPath === undefined || !isInside(testsPath, devPath)) {
      devPath = writeCarrier(path.join(scratch, 'carrier'), opts.testsPath);
      testsPath = path.join(devPath, 'index.js');
    }
    const remote = (p: string): string => `vscode-remote://127.0.0.1:${instance?.port}${path.resolve(p)}`;
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remote(devPath)],
      ['extensionTestsPath', remote(testsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];

    workbench = await launchBrowser(name);
    const { page } = workbench;
    const output: string[] = [];
    let reportExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
      const parts = Array.isArray(args) ? args : [args];
      output.push(`${type === 'error' ? '[error] ' : ''}${format(...parts)}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => {
      reportExit(typeof code === 'number' ? code : Number.NaN);
    });
    await page.goto(workbenchUrl(instance, payload), { waitUntil: 'domcontentloaded' });
    await waitForWorkbench(page, 60_000);
    const t2 = Date.now();

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    const code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    const t3 = Date.now();
    const result = readResult(resultFile);
    const started = instance;
    const runnerOk = await waitUntil(() => started.vscodeLogs().includes(RUNNER_OK_LINE), 3000, 200);

    const problems: string[] = [];
    if (code === undefined) problems.push(`no exit reported within ${timeoutMs} ms`);
    else if (code !== 0) problems.push(`the workbench reported exit code ${code}`);
    if (!result.ok) problems.push(result.reason);
    else if (result.value.status !== 'passed' || result.value.failures > 0) {
      problems.push(`${result.value.failures} test(s) failed`);
    } else if (result.value.passes === 0) problems.push('no test passed');
    if (!runnerOk) problems.push(`the extension host never logged "${RUNNER_OK_LINE}"`);

    const text = output.join('\n');
    if (problems.length > 0) {
      const summary = result.ok ? describeResult(result.value) : '';
      throw new Error(
        `extension-host suite did not pass: ${problems.join('; ')}\n${summary}\n--- page output ---\n${text}` + `\n--- code-server ---\n${instance.logs()}`,
      );
    }
    if (!result.ok) throw new Error('unreachable');
    return {
      result: result.value,
      output: text,
      durations: { serverMs: t1 - t0, pageMs: t2 - t1, suiteMs: t3 - t2 },
    };
  } finally {
    await workbench?.close().catch(() => undefined);
    await instance?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function writeCarrier(dir: string, suite: string): string {
  fs.mkdirSync(dir, { recursive: true });
  writeJson(path.join(dir, 'package.json'), {
    name: 'parley-e2e-test-carrier',
    displayName: 'Parley e2e test carrier',
    publisher: 'parley-e2e',
    version: '0.0.0',
    engines: { vscode: '^1.90.0' },
    extensionKind: ['workspace'],
    main: './main.js',
  });
  fs.writeFileSync(path.join(dir, 'main.js'), 'exports.activate = () => undefined;\n');
  fs.writeFileSync(path.join(dir, 'index.js'), `module.exports = require(${JSON.stringify(suite)});\n`);
  return dir;
}

function readResult(file: string): { ok: true; value: SuiteResult } | { ok: false; reason: string } {
  if (!fs.existsSync(file)) {
    return { ok: false, reason: 'the suite wrote no result file (did the extension host crash or exit?)' };
  }
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!isRecord(parsed) || typeof parsed.passes !== 'number' || typeof parsed.failures !== 'number') {
      return { ok: false, reason: 'the result file has an unexpected shape' };
    }
    return { ok: true, value: parsed as unknown as SuiteResult };
  } catch (err) {
    return { ok: false, reason: `the result file is unreadable: ${String(err)}` };
  }
}

export function describeResult(result: SuiteResult): string {
  const lines = result.tests.map((t) => {
    const mark = t.state === 'passed' ? 'ok  ' : t.state === 'pending' ? 'skip' : 'FAIL';
    return `  ${mark} ${t.title}${t.error ? `\n       ${t.error.split('\n').join('\n       ')}` : ''}`;
  });
  if (result.error) lines.push(`  suite error: ${result.error}`);
  lines.push(`  ${result.passes} passed, ${result.failures} failed, ${result.pending} pending`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'instance';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function describeMatch(match: WebviewMatch): string {
  if (typeof match === 'string') return JSON.stringify(match);
  if (match instanceof RegExp) return String(match);
  return `selector ${JSON.stringify(match.selector)}`;
}
