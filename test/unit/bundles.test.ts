// What the bundles carry: the webview's holds no zod (it only needs the plain values of the
// protocol, in constants.ts, viewShared.ts and nameRule.ts) and the join form checks a name by the
// same rule as the relay's UserName schema; loading the relay the extension hosts leaves the
// global Reflect alone (selfsigned's chain patches it: it loads when a certificate is made).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import fc from 'fast-check';
import { checkJoin } from '../../src/protocol/joinForm';
import { UserName } from '../../src/protocol/wire';

const root = join(__dirname, '..', '..', '..');

describe('bundles', () => {
  it('the webview bundle holds no zod and no protocol schema module', async function () {
    this.timeout(60_000);
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: ['src/webview/main.ts'],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(
      inputs.some((i) => i.startsWith('src/webview/')),
      'the metafile lists the webview sources',
    );
    const heavy = inputs.filter((i) => /node_modules\/zod\//.test(i) || /^src\/protocol\/(wire|view)\.ts$/.test(i));
    assert.deepEqual(heavy, [], 'modules the webview must not bundle');
  });

  it("the join form accepts exactly the names the relay's UserName accepts", () => {
    const nameChars = fc.constantFrom(...'aZ09._- /!éßЖ数\u0301\u200b'.split(''), '😀');
    fc.assert(
      fc.property(fc.array(nameChars, { minLength: 1, maxLength: 40 }), (chars) => {
        const name = chars.join('').normalize('NFC').trim();
        if (!name) return;
        const form = checkJoin('ws://127.0.0.1:7420', name, '');
        assert.equal(form.ok, UserName.safeParse(name).success, `"${name}": form ${JSON.stringify(form)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('loading the hosted relay does not patch the global Reflect; making a certificate loads selfsigned', function () {
    this.timeout(60_000);
    const relay = join(root, 'out', 'src', 'relay', 'hostedRelay.js');
    const cert = join(root, 'out', 'src', 'relay', 'tlsCert.js');
    const script = `
      const seen = () => typeof Reflect.getMetadata;
      require(${JSON.stringify(relay)});
      const loaded = seen();
      const dir = require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'parley-cert-'));
      require(${JSON.stringify(cert)}).loadOrCreateCertificate(dir).then((c) => {
        require('fs').rmSync(dir, { recursive: true, force: true });
        console.log(JSON.stringify({ loaded, afterCert: seen(), fingerprint: c.fingerprint.length }));
      });`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
    assert.deepEqual(out, { loaded: 'undefined', afterCert: 'function', fingerprint: 64 });
  });
});
