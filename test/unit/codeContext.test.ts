import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sanitizeFileName } from '../../src/client/fileNames';
import { normalizeRemote } from '../../src/client/gitRemote';
import { applyPatch, parsePatch } from '../../src/client/patch';
import { normalizeRelPath, relPathProblem, relativeTo } from '../../src/client/paths';
import { writeRefusal } from '../../src/client/writeTarget';
import { findFileRefs } from '../../src/webview/logic/references';
import { tempDir } from '../helpers';

describe('remote URL normalization', () => {
  it('gives every clone of a repository the same key', () => {
    const same = [
      'git@github.com:Org/Repo.git',
      'https://github.com/org/repo',
      'https://me:token@github.com/Org/Repo.git/',
      'ssh://git@github.com:22/org/repo.git',
      'git://github.com/org/repo.git',
      'github.com:org/repo',
    ];
    for (const u of same) assert.equal(normalizeRemote(u), 'github.com/org/repo', u);
  });

  it('keeps hosts and nested groups apart and handles local remotes', () => {
    assert.equal(normalizeRemote('git@gitlab.lan:team/sub/proj.git'), 'gitlab.lan/team/sub/proj');
    assert.notEqual(normalizeRemote('git@gitlab.com:org/repo.git'), normalizeRemote('git@github.com:org/repo.git'));
    assert.equal(normalizeRemote('/srv/git/project.git'), 'file/srv/git/project');
    assert.equal(normalizeRemote('file:///srv/git/project.git'), 'file/srv/git/project');
    assert.equal(normalizeRemote('C:\\repos\\thing.git'), 'file/c:/repos/thing');
    assert.equal(normalizeRemote('   '), undefined);
  });
});

describe('path normalization', () => {
  it('normalizes relative paths and refuses escapes', () => {
    assert.equal(normalizeRelPath('src\\app\\main.ts'), 'src/app/main.ts');
    assert.equal(normalizeRelPath('./src//a/./b.ts'), 'src/a/b.ts');
    assert.equal(normalizeRelPath('src/x/../y.ts'), 'src/y.ts');
    assert.equal(normalizeRelPath('../secret'), undefined);
    assert.equal(normalizeRelPath('/etc/passwd'), undefined);
    assert.equal(normalizeRelPath('C:/Windows/x'), undefined);
    assert.equal(normalizeRelPath('a/\u0007b'), undefined);
  });

  it('relates a file to a root', () => {
    assert.equal(relativeTo('/home/a/repo', '/home/a/repo/src/x.ts'), 'src/x.ts');
    assert.equal(relativeTo('/home/a/repo/', '/home/a/repo2/x.ts'), undefined);
    assert.equal(relativeTo('C:\\Repo', 'c:\\repo\\Src\\X.ts'), 'Src/X.ts');
    assert.equal(relativeTo('/r', '/r'), undefined);
  });
});

describe('patches', () => {
  it('applies a real git diff, also after the file shifted', () => {
    const dir = tempDir();
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.email', 't@example.invalid');
    git('config', 'user.name', 'T');
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.txt'), lines.join('\n') + '\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    const changed = [...lines];
    changed[4] = 'line 5 changed';
    changed.splice(20, 1);
    changed.push('line 31 added');
    writeFileSync(join(dir, 'src/a.txt'), changed.join('\n') + '\n');
    const patch = git('diff', 'HEAD', '--', 'src/a.txt');
    assert.equal(parsePatch(patch).length, 3);
    const base = lines.join('\n') + '\n';
    const r = applyPatch(base, patch);
    assert.ok(r.ok);
    assert.equal(r.text, readFileSync(join(dir, 'src/a.txt'), 'utf8'));
    const shifted = applyPatch('new first line\nnew second line\n' + base, patch);
    assert.ok(shifted.ok);
    assert.equal(shifted.text, 'new first line\nnew second line\n' + changed.join('\n') + '\n');
  });

  it('refuses a patch whose context is gone', () => {
    const r = applyPatch('a\nb\nc\n', '@@ -1,3 +1,3 @@\n x\n-y\n+z\n w\n');
    assert.deepEqual(r, { ok: false, hunk: 1, message: 'hunk 1 does not match the file (it changed too much)' });
  });
});

describe('file references in messages', () => {
  it('finds path:line and path:line:col, stack frames and Python tracebacks', () => {
    const text = 'see src/app/main.ts:42 and lib.rs:7:3\n    at run (/home/me/proj/index.js:10:15)\n  File "tools/build.py", line 88, in main';
    assert.deepEqual(
      findFileRefs(text).map((r) => [r.path, r.line, r.col]),
      [
        ['src/app/main.ts', 42, undefined],
        ['lib.rs', 7, 3],
        ['/home/me/proj/index.js', 10, 15],
        ['tools/build.py', 88, undefined],
      ],
    );
  });

  it('leaves URLs, times and host:port alone', () => {
    assert.deepEqual(findFileRefs('http://example.com:8080/x.js:1 at 10:30, host example.com:443 localhost:7420 ws://1.2.3.4:7420'), []);
  });

  it('looks at a long run of path characters once (hostile text cannot make it quadratic)', () => {
    // Measured against ordinary prose of the same length in the same run: 16,000 characters of
    // `@a@a…` took 180 ms (about 400x the prose) when a reference could start inside the run.
    const cost = (text: string) => {
      const s = performance.now();
      for (let i = 0; i < 5; i++) findFileRefs(text);
      return performance.now() - s;
    };
    const prose = 'see the build log for the error we hit '.repeat(410).slice(0, 16_000);
    cost(prose);
    const base = cost(prose);
    for (const run of ['@a', '~a', '+a', '-a', '.a']) {
      const hostile = run.repeat(8000);
      assert.deepEqual(findFileRefs(hostile), []);
      assert.ok(cost(hostile) < 20 * base + 5, `${run}…: ${cost(hostile).toFixed(1)} ms against ${base.toFixed(1)} ms for prose`);
    }
    assert.deepEqual(
      findFileRefs('see @src/x.ts:3 and +b.py:4').map((r) => r.path),
      ['@src/x.ts', '+b.py'],
    );
  });

  it('gives offsets that cover the reference', () => {
    const text = 'error in a/b.ts:3:9!';
    const [r] = findFileRefs(text);
    assert.equal(text.slice(r.index, r.index + r.length), 'a/b.ts:3:9');
  });
});

describe('hostile file names', () => {
  const corpus = [
    '../../../../etc/shadow',
    '..\\..\\Windows\\System32\\drivers\\etc\\hosts',
    '/absolute/path.txt',
    'C:\\evil.bat',
    'NUL',
    'com1.txt',
    'LPT9',
    'aux.tar.gz',
    'file\u0000name.txt',
    '\u202Etxt.exe',
    'name\nwith\nnewlines',
    '   ',
    '....',
    'a'.repeat(1000),
    'résumé.pdf',
    'what<>:"|?*.txt',
    '.git',
    '.GIT',
    '.git.',
    '.git::$INDEX_ALLOCATION',
    'git~1',
    '\u200c.git',
    '.git/config',
  ];

  it('never yields a path, a device name, a control character or an empty name', () => {
    for (const raw of corpus) {
      const n = sanitizeFileName(raw);
      assert.ok(n.length > 0 && n.length <= 200, `${JSON.stringify(raw)} -> ${JSON.stringify(n)}`);
      assert.ok(!/[\\/]/.test(n), `separator in ${n}`);
      assert.ok(n !== '.' && n !== '..' && !n.startsWith('.'), `dot name ${n}`);
      assert.ok(!/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(n), `control char in ${JSON.stringify(n)}`);
      assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(n), `device name ${n}`);
      assert.ok(!/[<>:"|?*]/.test(n), `reserved char in ${n}`);
      assert.equal(normalizeRelPath(n), n, `${JSON.stringify(n)} is refused as a path (another name for .git?)`);
    }
    assert.equal(sanitizeFileName('résumé.pdf'), 'résumé.pdf');
  });
});

describe('paths into .git from other people', () => {
  // A patch to `.git/config` adding `core.fsmonitor = <command>` runs that command on the next `git status`.
  const refused = [
    '.git/config',
    '.GIT/config',
    '.Git/hooks/pre-commit',
    'a/.git/hooks/post-checkout',
    '.git./config',
    '.git /config',
    '.git. . /config',
    'git~1/config',
    'GIT~1/config',
    '.git::$INDEX_ALLOCATION/config',
    '.git:$I30:$INDEX_ALLOCATION/config',
    '.g\u200cit/config',
    '..\\.git\\config',
    'sub\\.git\\config',
    './src/../.git/config',
    '.git',
    'sub/.git',
  ];

  it('are refused by normalizeRelPath, with a reason that names .git', () => {
    for (const p of refused) {
      assert.equal(normalizeRelPath(p), undefined, p);
      assert.ok(relPathProblem(p), p);
    }
    assert.match(relPathProblem('.git/config')!, /inside a \.git directory/);
    assert.match(relPathProblem('git~1/config')!, /'git~1' is another name for \.git/);
    assert.match(relPathProblem('..\\.git\\config')!, /climbs out/);
    assert.match(relPathProblem('.. /x')!, /only of dots and spaces/);
    assert.equal(relativeTo('/r', '/r/.git/config'), undefined);
  });

  it('leave names that only look alike', () => {
    for (const p of ['.github/workflows/x.yml', '.gitignore', '.gitattributes', 'my.git/file', 'git/config', 'docs/.git-notes', 'git~/x', 'x.git']) {
      assert.equal(normalizeRelPath(p), p, p);
      assert.equal(relPathProblem(p), undefined, p);
    }
  });

  describe('where a write really lands', () => {
    // ws/ holds a repository, a link out of it, a link into its .git and a link to nothing.
    const setUp = () => {
      const ws = tempDir();
      const elsewhere = tempDir('parley-elsewhere-');
      mkdirSync(join(ws, '.git/hooks'), { recursive: true });
      writeFileSync(join(ws, '.git/config'), '[core]\n');
      mkdirSync(join(ws, 'src'));
      writeFileSync(join(ws, 'src/a.ts'), 'x\n');
      writeFileSync(join(elsewhere, 'b.ts'), 'y\n');
      symlinkSync(elsewhere, join(ws, 'out'));
      symlinkSync(join(ws, '.git/config'), join(ws, 'settings.ini'));
      symlinkSync(join(ws, '.git/hooks/pre-commit'), join(ws, 'hook.sh'));
      return { ws, elsewhere, teammate: { roots: [ws], chosenByUser: false }, user: { roots: [ws], chosenByUser: true } };
    };

    it("refuses a teammate's path through a link out of the workspace, into .git, or outside", async () => {
      const { ws, elsewhere, teammate } = setUp();
      assert.match((await writeRefusal(join(ws, 'out/b.ts'), teammate))!, /symbolic link out of the workspace folder/);
      assert.match((await writeRefusal(join(ws, 'out/new/c.ts'), teammate))!, /symbolic link out of the workspace folder/);
      assert.match((await writeRefusal(join(ws, '.git/config'), teammate))!, /inside a \.git directory/);
      assert.match((await writeRefusal(join(ws, '.git/hooks/pre-commit'), teammate))!, /inside a \.git directory/);
      assert.match((await writeRefusal(join(ws, 'settings.ini'), teammate))!, /symbolic link into a \.git directory/);
      assert.match((await writeRefusal(join(ws, 'hook.sh'), teammate))!, /symbolic link to something that does not exist/);
      assert.match((await writeRefusal(join(elsewhere, 'b.ts'), teammate))!, /outside the workspace folder/);
      assert.match((await writeRefusal(join(ws, 'src/a.ts'), { roots: [], chosenByUser: false }))!, /no workspace folder/);
      assert.equal(await writeRefusal('src/a.ts', teammate), 'it is not an absolute path');
    });

    it('allows a normal file in the workspace, existing or new', async () => {
      const { ws, teammate } = setUp();
      assert.equal(await writeRefusal(join(ws, 'src/a.ts'), teammate), undefined);
      assert.equal(await writeRefusal(join(ws, 'src/new/deeper/c.ts'), teammate), undefined);
      assert.equal(await writeRefusal(join(ws, '.github/workflows/x.yml'), teammate), undefined);
    });

    it('lets the user choose a place outside the workspace, but never .git or a link out of it', async () => {
      const { ws, elsewhere, user } = setUp();
      assert.equal(await writeRefusal(join(elsewhere, 'b.ts'), user), undefined);
      assert.equal(await writeRefusal(join(elsewhere, 'new.ts'), user), undefined);
      assert.match((await writeRefusal(join(ws, '.git/config'), user))!, /inside a \.git directory/);
      assert.match((await writeRefusal(join(elsewhere, '.GIT/config'), user))!, /inside a \.git directory/);
      assert.match((await writeRefusal(join(ws, 'out/b.ts'), user))!, /symbolic link out of the workspace folder/);
      assert.match((await writeRefusal(join(ws, 'settings.ini'), user))!, /symbolic link into a \.git directory/);
    });

    it('judges by the real path of the workspace folder too (a workspace opened through a link)', async () => {
      const { ws, teammate } = setUp();
      const viaLink = join(tempDir(), 'ws');
      symlinkSync(ws, viaLink);
      assert.equal(await writeRefusal(join(viaLink, 'src/a.ts'), { ...teammate, roots: [viaLink] }), undefined);
      assert.match((await writeRefusal(join(viaLink, 'out/b.ts'), { ...teammate, roots: [viaLink] }))!, /symbolic link out/);
    });
  });
});
