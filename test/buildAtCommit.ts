// One module of an earlier commit, built the way this checkout builds its own: its src/ from
// `git archive`, bundled by esbuild with this checkout's node_modules (an old tree has none),
// the SQLite WebAssembly file beside the bundle. The migration tests run old relays and stores
// built so; bench/beside.ts measures an old relay beside this one.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

/** This checkout (the compiled file runs from out/test/). */
export const repoRoot = join(__dirname, '..', '..');

export interface BuildOptions {
  /** The module to bundle, relative to the tree's root, e.g. `src/relay/cli.ts`. */
  entry: string;
  /** A folder of the caller's (a temporary one): the tree goes in `tree/`, the bundle in `dist/`. */
  dir: string;
  /** The bundle's file name in `dist/` (default: the entry's name with `.js`). */
  outName?: string;
  minify?: boolean;
}

/** Bundles `entry` of the tree at `srcRoot` (a checkout's root) into `<dir>/dist`; the bundle's path. */
export async function bundleTree(srcRoot: string, opts: BuildOptions): Promise<string> {
  const out = join(opts.dir, 'dist');
  mkdirSync(out, { recursive: true });
  copyFileSync(join(repoRoot, 'node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm'), join(out, 'node-sqlite3-wasm.wasm'));
  const outfile = join(out, opts.outName ?? opts.entry.replace(/^.*\//, '').replace(/\.ts$/, '.js'));
  await esbuild.build({
    entryPoints: [join(srcRoot, opts.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: opts.minify ?? false,
    logLevel: 'error',
    nodePaths: [join(repoRoot, 'node_modules')],
  });
  return outfile;
}

/** Bundles `entry` as it was at `commit` (see above); the bundle's path. */
export async function buildAtCommit(commit: string, opts: BuildOptions): Promise<string> {
  const tree = join(opts.dir, 'tree');
  mkdirSync(tree, { recursive: true });
  const tar = execFileSync('git', ['-C', repoRoot, 'archive', commit, 'src', 'package.json'], { maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', tree], { input: tar });
  return bundleTree(tree, opts);
}
