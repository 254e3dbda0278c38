import * as assert from 'node:assert/strict';
import { canManageRoom, canRemove, canRotate, canSetRole } from '../../src/protocol/roles';

describe('team roles: who may remove, change roles, rotate the secret and manage a room', () => {
  const owner = { id: 'o', role: 'owner' as const };
  const admin = { id: 'a', role: 'admin' as const };
  const member = { id: 'm', role: 'member' as const };
  const other = { id: 'x', role: 'member' as const };

  it('removing: admins remove members, only owners remove admins and owners, never the last owner or oneself', () => {
    assert.equal(canRemove(admin, other, 1), undefined);
    assert.equal(canRemove(owner, admin, 1), undefined);
    assert.match(canRemove(member, other, 1) ?? '', /only admins and owners can remove members/);
    assert.match(canRemove(admin, { id: 'b', role: 'admin' }, 1) ?? '', /only an owner can remove an admin/);
    assert.match(canRemove(admin, owner, 1) ?? '', /only an owner can remove an owner/);
    assert.match(canRemove(owner, { id: 'o2', role: 'owner' }, 1) ?? '', /no owner left/);
    assert.equal(canRemove(owner, { id: 'o2', role: 'owner' }, 2), undefined);
    assert.match(canRemove(admin, { ...admin }, 1) ?? '', /cannot remove yourself/);
    assert.match(canRemove(admin, { ...other, removed: true }, 1) ?? '', /already removed/);
  });

  it('roles: only owners change them; the last owner cannot step down; no change that changes nothing', () => {
    assert.equal(canSetRole(owner, other, 'admin', 1), undefined);
    assert.equal(canSetRole(owner, admin, 'member', 1), undefined);
    assert.equal(canSetRole(owner, other, 'owner', 1), undefined);
    assert.match(canSetRole(admin, other, 'admin', 1) ?? '', /only owners can change roles/);
    assert.match(canSetRole(member, member, 'admin', 1) ?? '', /only owners/);
    assert.match(canSetRole(owner, owner, 'admin', 1) ?? '', /no owner left/);
    assert.equal(canSetRole(owner, owner, 'admin', 2), undefined, 'one of two owners may step down');
    assert.match(canSetRole(owner, admin, 'admin', 1) ?? '', /already an admin/);
    assert.match(canSetRole(owner, { ...other, removed: true }, 'admin', 1) ?? '', /removed/);
  });

  it('rotating the secret: admins and owners', () => {
    assert.equal(canRotate(owner), undefined);
    assert.equal(canRotate(admin), undefined);
    assert.match(canRotate(member) ?? '', /only admins and owners can rotate/);
  });

  it("rooms: the creator manages theirs, admins every room, #general only admins, a DM's pins both members", () => {
    const design = { kind: 'room' as const, name: 'design', creator: 'm' };
    for (const act of ['topic', 'archive', 'pin'] as const) {
      assert.equal(canManageRoom(member, design, act), undefined, act);
      assert.equal(canManageRoom(admin, design, act), undefined, act);
      assert.match(canManageRoom(other, design, act) ?? '', /only the room's creator or an admin can .* #design/, act);
      assert.match(canManageRoom(member, { kind: 'room', name: 'general' }, act) ?? '', /only admins can .* #general/, act);
      // Even a member recorded as #general's creator does not manage it.
      assert.match(canManageRoom(member, { kind: 'room', name: 'general', creator: 'm' }, act) ?? '', /only admins/, act);
      assert.equal(canManageRoom(owner, { kind: 'room', name: 'general' }, act), undefined, act);
      assert.match(canManageRoom(member, { kind: 'room', name: 'old' }, act) ?? '', /creator or an admin/, 'a room without a recorded creator: admins only');
    }
    assert.equal(canManageRoom(other, { kind: 'dm', name: '' }, 'pin'), undefined);
  });
});
