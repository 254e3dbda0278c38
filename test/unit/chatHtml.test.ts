import * as assert from 'node:assert/strict';
import { loadWith, vscodeStub } from './stubVscode';

// The chat view's page: what its CSP allows, and what a screen reader makes of it.
describe('the chat view page', () => {
  const vscode = {
    ...vscodeStub(),
    Uri: { joinPath: (base: { path: string }, ...parts: string[]) => ({ path: [base.path, ...parts].join('/') }) },
  };
  const { chatHtml } = loadWith<typeof import('../../src/host/html')>('../../src/host/html', vscode);
  const webview = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    asWebviewUri: (u: { path: string }) => ({ toString: () => `https://file+.vscode-resource.vscode-cdn.net${u.path}` }),
  };
  const html = chatHtml(webview as never, { path: '/ext' } as never);

  it('allows nothing but its own resources and one nonce’d script', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /^default-src 'none';/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, csp);
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    assert.deepEqual(scripts, [` nonce="${nonce}" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js"`]);
    assert.doesNotMatch(csp, /unsafe|data:|\*/);
    // A new nonce each time the page is made.
    assert.notEqual(/nonce-([^']+)/.exec(chatHtml(webview as never, { path: '/ext' } as never))?.[1], nonce);
  });

  it('is a labelled region, not an application: screen readers can read the messages in browse mode', () => {
    const app = /<div id="app"([^>]*)>/.exec(html)?.[1] ?? '';
    assert.match(app, /role="region"/);
    assert.match(app, /aria-label="Parley chat"/);
    assert.doesNotMatch(html, /role="application"/);
  });
});
