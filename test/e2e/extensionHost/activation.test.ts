// Runs inside the extension host (see index.ts): checks the installed Parley against the
// repository's package.json through the real `vscode` API.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'parley.parley';

interface ConfigurationBlock {
  properties?: Record<string, { default?: unknown }>;
}

interface Manifest {
  name?: string;
  contributes?: {
    commands?: { command: string }[];
    configuration?: ConfigurationBlock | ConfigurationBlock[];
  };
}

/** The repository's package.json, read now (not at compile time). */
function repoManifest(): Manifest {
  const explicit = process.env.PARLEY_PACKAGE_JSON;
  if (explicit) return JSON.parse(fs.readFileSync(explicit, 'utf8')) as Manifest;
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    if (manifest.name === 'parley') return manifest;
  }
  throw new Error(`no Parley package.json above ${__dirname}`);
}

function declaredCommands(manifest: Manifest): string[] {
  return (manifest.contributes?.commands ?? []).map((c) => c.command);
}

function declaredSettings(manifest: Manifest): Map<string, { default?: unknown }> {
  const blocks = manifest.contributes?.configuration;
  const list = blocks === undefined ? [] : Array.isArray(blocks) ? blocks : [blocks];
  const settings = new Map<string, { default?: unknown }>();
  for (const block of list) {
    for (const [key, schema] of Object.entries(block.properties ?? {})) settings.set(key, schema);
  }
  return settings;
}

function parley(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) {
    const others = vscode.extensions.all
      .filter((e) => !e.id.startsWith('vscode.'))
      .map((e) => e.id)
      .join(', ');
    assert.fail(`extension ${EXTENSION_ID} is not installed (non-built-in extensions: ${others || 'none'})`);
  }
  return ext;
}

describe('Parley in the extension host', function () {
  const manifest = repoManifest();

  it('is installed', function () {
    assert.ok(fs.existsSync(path.join(parley().extensionPath, 'package.json')));
  });

  it('was built from this package.json (rebuild parley.vsix if not)', function () {
    const installed = parley().packageJSON as Manifest;
    assert.deepEqual(declaredCommands(installed), declaredCommands(manifest), 'contributes.commands differ');
    assert.deepEqual([...declaredSettings(installed).keys()], [...declaredSettings(manifest).keys()], 'contributes.configuration properties differ');
  });

  it('activates', async function () {
    const ext = parley();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every command declared in package.json', async function () {
    const declared = declaredCommands(manifest);
    if (declared.length === 0) this.skip();
    await parley().activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
  });

  it('contributes the "parley" configuration section with the declared properties', function () {
    const declared = declaredSettings(manifest);
    if (declared.size === 0) this.skip();
    const outside = [...declared.keys()].filter((key) => !key.startsWith('parley.'));
    assert.deepEqual(outside, [], 'settings outside the "parley" section');
    const section = vscode.workspace.getConfiguration('parley');
    for (const [key, schema] of declared) {
      const name = key.slice('parley.'.length);
      assert.ok(section.has(name), `setting ${key} is not known to VS Code`);
      if ('default' in schema) {
        assert.deepEqual(section.inspect(name)?.defaultValue, schema.default, `default of ${key}`);
      }
    }
  });
});
