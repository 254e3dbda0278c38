import * as assert from 'node:assert/strict';
import type { Body } from '../../src/protocol/wire';
import { applyNotice, decideAppend, DELETED_EDIT_TEXT, sendRefusal, type TargetView } from '../../src/relay/rules';
import type { ConversationRecord } from '../../src/relay/store';

// The rules alone, against a stored conversation made of plain objects: what any store must
// refuse or do when a message arrives (the integration suites check the same through a relay).

const stored = new Map<number, TargetView>([
  [1, { kind: 'text', author: 'u1', deleted: false }],
  [2, { kind: 'file', author: 'u1', deleted: false, file: 'f1' }],
  [3, { kind: 'text', author: 'u2', deleted: false, thread: 1 }],
  [4, { kind: 'deleted', author: 'u1', deleted: true }],
  [5, { kind: 'react', author: 'u2', deleted: false }],
  [6, { kind: 'topic', author: 'u1', deleted: false }],
]);
const decide = (author: string, body: Body) => decideAppend('r1', author, body, (seq) => stored.get(seq));

describe('rules: who may do what to which message', () => {
  it('lets the author edit a text (rewriting it) and delete a file (dropping its bytes)', () => {
    assert.deepEqual(decide('u1', { kind: 'edit', target: 1, text: 'new' }), { effects: [{ t: 'rewrite', target: 1, text: 'new' }] });
    assert.deepEqual(decide('u1', { kind: 'delete', target: 2 }), { effects: [{ t: 'tombstone', target: 2, editText: DELETED_EDIT_TEXT, file: 'f1' }] });
    assert.deepEqual(decide('u1', { kind: 'delete', target: 1 }), { effects: [{ t: 'tombstone', target: 1, editText: DELETED_EDIT_TEXT }] });
  });

  it('refuses others editing or deleting, and edits of what is not a text', () => {
    assert.deepEqual(decide('u2', { kind: 'edit', target: 1, text: 'x' }), {
      refused: { code: 'not_author', message: 'only the author may edit or delete a message' },
    });
    assert.deepEqual(decide('u2', { kind: 'delete', target: 1 }), { refused: { code: 'not_author', message: 'only the author may edit or delete a message' } });
    assert.deepEqual(decide('u1', { kind: 'edit', target: 2, text: 'x' }), { refused: { code: 'bad_target', message: 'only text messages can be edited' } });
  });

  it("refuses events on missing, deleted, hidden and notice messages, in today's words", () => {
    const notShown = 'edits, deletions, reactions, pins and notices are not messages one can edit, delete, react to or pin';
    assert.deepEqual(decide('u2', { kind: 'react', target: 9, emoji: '👍', on: true }), { refused: { code: 'bad_target', message: 'no message 9 in r1' } });
    assert.deepEqual(decide('u2', { kind: 'react', target: 4, emoji: '👍', on: true }), { refused: { code: 'bad_target', message: 'message 4 is deleted' } });
    assert.deepEqual(decide('u2', { kind: 'pin', target: 5, on: true }), { refused: { code: 'bad_target', message: notShown } });
    assert.deepEqual(decide('u2', { kind: 'react', target: 6, emoji: '👍', on: true }), { refused: { code: 'bad_target', message: notShown } });
    assert.deepEqual(decide('u2', { kind: 'react', target: 1, emoji: '👍', on: true }), { effects: [] });
  });

  it('takes replies to a root only, never to a reply or an event', () => {
    assert.deepEqual(decide('u2', { kind: 'text', text: 'r', thread: 1 }), { effects: [] });
    assert.deepEqual(decide('u2', { kind: 'text', text: 'r', thread: 3 }), {
      refused: { code: 'bad_target', message: "message 3 is a reply; reply to its thread's root (1)" },
    });
    assert.deepEqual(decide('u2', { kind: 'text', text: 'r', thread: 5 }), {
      refused: { code: 'bad_target', message: 'only messages (not edits, deletions, reactions, pins or notices) start threads' },
    });
  });

  it('turns notices into the room change they make, for the store and the relay alike', () => {
    assert.deepEqual(decide('u1', { kind: 'topic', text: '' }), { effects: [{ t: 'topic', topic: undefined }] });
    assert.deepEqual(decide('u1', { kind: 'archive', on: true }), { effects: [{ t: 'archived', on: true }] });
    const rec: ConversationRecord = { id: 'r1', kind: 'room', name: 'dev', topic: 'old', members: [], head: 0, floor: 1 };
    assert.equal(applyNotice(rec, { kind: 'topic', text: 'new' }), true);
    assert.equal(rec.topic, 'new');
    assert.equal(applyNotice(rec, { kind: 'topic', text: '' }), true);
    assert.equal('topic' in rec, false);
    assert.equal(applyNotice(rec, { kind: 'archive', on: true }), true);
    assert.equal(rec.archived, true);
    assert.equal(applyNotice(rec, { kind: 'archive', on: false }), true);
    assert.equal('archived' in rec, false);
    assert.equal(applyNotice(rec, { kind: 'text', text: 'hi' }), false);
  });

  it('checks a send against its room before it is queued', () => {
    const member = { id: 'u2', role: 'member' as const };
    const room = { kind: 'room' as const, name: 'dev', creator: 'u1' };
    const never = () => assert.fail('asked whether stored outside an archived room');
    assert.deepEqual(sendRefusal({ actor: member, room: { kind: 'dm', name: 'x' }, body: { kind: 'topic', text: 't' }, stored: never }), {
      code: 'bad_request',
      message: 'a direct message has no topic; only rooms do',
    });
    assert.deepEqual(sendRefusal({ actor: member, room, body: { kind: 'topic', text: 't' }, stored: never }), {
      code: 'forbidden',
      message: "only the room's creator or an admin can change the topic of #dev",
    });
    assert.equal(sendRefusal({ actor: { id: 'u1', role: 'member' }, room, body: { kind: 'pin', target: 1, on: true }, stored: never }), undefined);
    const archived = { ...room, archived: true };
    assert.deepEqual(sendRefusal({ actor: member, room: archived, body: { kind: 'text', text: 'hi' }, stored: () => false }), {
      code: 'archived',
      message: '#dev is archived; unarchive it to post',
    });
    assert.equal(sendRefusal({ actor: member, room: archived, body: { kind: 'text', text: 'hi' }, stored: () => true }), undefined);
    assert.equal(sendRefusal({ actor: { id: 'u1', role: 'member' }, room: archived, body: { kind: 'archive', on: false }, stored: never }), undefined);
  });
});
