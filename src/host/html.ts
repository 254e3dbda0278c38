import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The chat view's HTML: CSP `default-src 'none'`, one nonce'd script, local resources only. `#app` is a
 * region, not an application: screen readers stay in browse mode, so messages can be read line by line.
 */
export function chatHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource}`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${uri('dist', 'codicon.css')}" rel="stylesheet">
<link href="${uri('media', 'chat.css')}" rel="stylesheet">
<title>Parley</title>
</head>
<body>
<div id="app" role="region" aria-label="Parley chat"></div>
<script nonce="${nonce}" src="${uri('dist', 'webview.js')}"></script>
</body>
</html>`;
}
