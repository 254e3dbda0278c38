// Client side: how fast the chat view shows the latest screen of a 10,000-message conversation,
// and how many message rows it keeps in the DOM, with the real webview bundle (dist/webview.js,
// media/chat.css) in headless Chromium. The host's part is measured too: reading the newest page
// from a client cache holding the 10,000 messages. Plus bundle and .vsix sizes.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { ClientStore } from '../src/client/clientStore';
import type { MessageView, ViewSnapshot } from '../src/protocol/view';

const root = join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const TOTAL = 10_000;
const PAGE = 200;

export interface ViewResult {
  total: number;
  hostPageMs: number;
  firstScreenMs: number;
  rowsAfterFirst: number;
  olderPageMs: number;
  rowsAfterAll: number;
  loaded: number;
}

const AUTHORS = ['u1', 'u2', 'u3', 'u4'];
const names = ['ada', 'bob', 'cy', 'dee'];
const text = (i: number) =>
  i % 7 === 0
    ? `Look at \`src/core/client.ts:${i % 400}\`, then:\n\n\`\`\`ts\nconst x = ${i};\nconsole.log(x * 2);\n\`\`\``
    : `message ${i}: **bold**, a [link](https://example.invalid/${i}) and some words to wrap the line in a narrow side bar`;
const message = (seq: number): MessageView => ({
  seq,
  id: `m${String(seq).padStart(8, '0')}`,
  author: AUTHORS[seq % 4],
  ts: 1_700_000_000_000 + seq * 60_000,
  body: { kind: 'text', text: text(seq) },
});

function snapshot(messages: MessageView[]): ViewSnapshot {
  return {
    v: 1,
    connection: { state: 'connected', relayUrl: 'ws://127.0.0.1:7420' },
    me: { id: 'u1', name: 'ada' },
    members: AUTHORS.map((id, i) => ({ id, name: names[i], presence: 'online' as const })),
    conversations: [
      {
        id: 'r1',
        kind: 'room',
        title: '#general',
        members: AUTHORS,
        unread: 0,
        lastTs: messages[messages.length - 1].ts,
        head: TOTAL,
        read: TOTAL,
        mentions: 0,
      },
    ],
    active: 'r1',
    messages,
    more: true,
    pinned: [],
    maxFileBytes: 10 * 1024 * 1024,
    prefill: { relayUrl: '', name: 'ada' },
    discovered: [],
    discovery: false,
    drafts: {},
  };
}

/** The host's share: the newest page out of a cache of 10,000 (what messageViews asks the store for). */
function hostPage(): number {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-view-'));
  try {
    const store = new ClientStore(join(dir, 'cache.sqlite'));
    store.putConversation({ id: 'r1', kind: 'room', name: 'general', members: AUTHORS, head: TOTAL, read: TOTAL }, TOTAL);
    store.transaction(() => {
      for (let seq = 1; seq <= TOTAL; seq++) {
        const m = message(seq);
        store.putMessage({ conv: 'r1', seq, id: m.id, author: m.author, ts: m.ts, body: m.body });
      }
    });
    const t0 = performance.now();
    const page = store.messages('r1', { limit: PAGE });
    const ms = performance.now() - t0;
    if (page.length !== PAGE) throw new Error(`host page has ${page.length} messages`);
    store.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureView(): Promise<ViewResult> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (npm run test:e2e:install installs it)`);
  const hostPageMs = hostPage();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 380, height: 900 } });
    await page.setContent('<!DOCTYPE html><html><head></head><body><div id="app"></div></body></html>');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // What VS Code gives a webview: acquireVsCodeApi; what the view posts is collected. The saved
    // UI state says the conversation was open when the view was last shown (in a narrow side bar
    // the view otherwise opens on the conversation list, and no message row is laid out).
    await page.evaluate(`window.__posted = [];
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => ({ screen: 'chat', drafts: {} }), setState: () => undefined });`);
    await page.addStyleTag({ path: join(root, 'media', 'chat.css') });
    await page.addScriptTag({ path: join(root, 'dist', 'webview.js') });
    await page.waitForFunction('window.__posted.some((m) => m.type === "ready")');
    const newest = Array.from({ length: PAGE }, (_, i) => message(TOTAL - PAGE + 1 + i));
    // Time from the snapshot's arrival to the second frame after its rows exist (painted).
    const first = (await page
      .evaluate(
        `(async (snap) => {
      const t0 = performance.now();
      window.postMessage({ type: 'snapshot', snapshot: snap }, '*');
      const until = t0 + 30000;
      await new Promise((r, j) => { const check = () => document.querySelector('.msg') ? requestAnimationFrame(() => requestAnimationFrame(r)) : performance.now() > until ? j(new Error('no message row within 30 s')) : requestAnimationFrame(check); check(); });
      return { ms: performance.now() - t0, rows: document.querySelectorAll('.msg').length };
    })(${JSON.stringify(snapshot(newest))})`,
      )
      .catch((err: Error) => {
        throw new Error(`${err.message}${errors.length ? `; page errors: ${errors.join('; ')}` : ''}`);
      })) as { ms: number; rows: number };
    // Scroll back through everything: 49 older pages of 200, as "load older" answers arrive.
    let older = 0;
    let loaded = PAGE;
    for (let before = TOTAL - PAGE; before > 0; before -= PAGE) {
      const msgs = Array.from({ length: Math.min(PAGE, before) }, (_, i) => message(before - Math.min(PAGE, before) + 1 + i));
      older += (await page.evaluate(`(async (msg) => {
        const t0 = performance.now();
        window.postMessage(msg, '*');
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return performance.now() - t0;
      })(${JSON.stringify({ type: 'older', conv: 'r1', messages: msgs, more: before - msgs.length > 0 })})`)) as number;
      loaded += msgs.length;
    }
    const rowsAfterAll = (await page.evaluate('document.querySelectorAll(".msg").length')) as number;
    return { total: TOTAL, hostPageMs, firstScreenMs: first.ms, rowsAfterFirst: first.rows, olderPageMs: older / (TOTAL / PAGE - 1), rowsAfterAll, loaded };
  } finally {
    await browser.close();
  }
}

export function sizes(): { file: string; bytes: number }[] {
  return ['dist/extension.js', 'dist/webview.js', 'dist/relay.js', 'dist/node-sqlite3-wasm.wasm', 'parley.vsix']
    .map((f) => ({ file: f, path: join(root, f) }))
    .filter((f) => existsSync(f.path))
    .map((f) => ({ file: f.file, bytes: statSync(f.path).size }));
}

if (require.main === module) {
  measureView().then(
    (r) => {
      console.log(r);
      console.log(sizes());
    },
    (err: Error) => {
      console.error(err.stack);
      process.exit(1);
    },
  );
}
