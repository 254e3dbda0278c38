import * as assert from 'node:assert/strict';
import { carriesUris, droppedUris } from '../../src/webview/logic/droppedUris';

// What VS Code puts in a drag from its Explorer (seen in code-server and documented by extension
// authors): every resource in application/vnd.code.uri-list, a JSON array in resourceurls, only
// the first in text/uri-list; the DOM lower-cases the types.
describe('files dragged from VS Code into the composer', () => {
  const drag = (data: Record<string, string>) => [Object.keys(data), (t: string) => data[t] ?? ''] as const;

  it('takes every file of the VS Code list, else resourceurls; never text/uri-list alone (any program sets it)', () => {
    const both = drag({
      'application/vnd.code.uri-list': 'file:///w/a.ts\r\nfile:///w/b%20c.ts',
      resourceurls: '["file:///w/x.ts"]',
      'text/uri-list': 'file:///w/a.ts',
    });
    assert.deepEqual(droppedUris(...both), ['file:///w/a.ts', 'file:///w/b%20c.ts']);
    assert.deepEqual(droppedUris(...drag({ resourceurls: '["file:///w/x.ts","file:///w/y.ts"]' })), ['file:///w/x.ts', 'file:///w/y.ts']);
    assert.deepEqual(droppedUris(...drag({ 'text/uri-list': 'file:///home/ada/.ssh/id_ed25519' })), []);
    assert.deepEqual(droppedUris(...drag({ 'application/vnd.code.uri-list': '# a comment\r\nfile:///w/a.ts\r\n' })), ['file:///w/a.ts']);
  });

  it('takes nothing from other drags or damaged data; lists all of a large drop for the host to refuse', () => {
    assert.deepEqual(droppedUris(...drag({ 'text/plain': 'file:///w/a.ts' })), []);
    assert.deepEqual(droppedUris(...drag({ resourceurls: '{"not":"a list"' })), []);
    assert.deepEqual(droppedUris(...drag({ resourceurls: '[1, null, "file:///w/a.ts"]' })), ['file:///w/a.ts']);
    const many = Array.from({ length: 50 }, (_, i) => `file:///w/${i}.ts`).join('\r\n');
    assert.equal(droppedUris(...drag({ 'application/vnd.code.uri-list': many })).length, 50);
    assert.deepEqual(droppedUris(...drag({ 'application/vnd.code.uri-list': `file:///${'a'.repeat(5000)}` })), []);
  });

  it('accepts a drag that carries resources, whatever the case of its types', () => {
    assert.equal(carriesUris(['Application/Vnd.Code.Uri-List']), true);
    assert.equal(carriesUris(['resourceurls']), true);
    assert.equal(carriesUris(['text/plain', 'Files']), false);
    assert.equal(carriesUris(['text/uri-list']), false);
  });
});
