import { nameKey } from '../protocol/names';
import { DeviceCodes } from './deviceCodes';
import { InviteTokens } from './inviteTokens';
import { NameIndex } from './nameIndex';
import type { DeviceRecord, Store, UserRecord } from './store';

// Who a key signs in as: members by their names and protocol-1 key hashes, devices by their
// public keys, the one-time codes that add a device and the named invites that reserve a name.
// The member records themselves are the hub's (`users`); this file indexes them for sign-in.

/** A device as its member's list on the wire shows it. */
export interface DeviceView {
  id: string;
  label: string;
  added: number;
  seen?: number;
}

export class MemberRegistry {
  /** Members' and reserved names by their keys (src/relay/nameIndex.ts). */
  readonly names: NameIndex;
  /** Members by protocol-1 key hash (`retired:` prefixed once exchanged for a device key). */
  readonly byKey = new Map<string, UserRecord>();
  /** Devices by public key. */
  readonly byDevice = new Map<string, DeviceRecord>();
  readonly codes = new DeviceCodes();
  /** Invites that reserve a name for their invitee. */
  readonly invites: InviteTokens;
  /** Members who still sign in with a protocol-1 key (told in the challenge, so clients migrate). */
  legacyMembers = 0;

  constructor(
    store: Store,
    private readonly users: Map<string, UserRecord>,
    log: (line: string) => void,
  ) {
    this.names = new NameIndex(store, users);
    for (const note of store.openingNotes ?? []) log(note);
    for (const u of store.users()) this.indexUser(u);
    for (const d of store.devices()) this.byDevice.set(d.key, d);
    this.invites = new InviteTokens(store);
  }

  indexUser(u: UserRecord): void {
    this.users.set(u.id, u);
    this.names.add(u);
    this.byKey.set(u.keyHash, u);
    if (!u.keyHash.startsWith('retired:') && !u.keyHash.startsWith('none:')) this.legacyMembers++;
  }

  /** Marks a member's protocol-1 key as exchanged for a device key (it signs in no more). */
  retireLegacy(u: UserRecord): void {
    this.byKey.delete(u.keyHash);
    u.keyHash = `retired:${u.keyHash}`;
    this.byKey.set(u.keyHash, u);
    this.legacyMembers--;
  }

  devicesOf(user: string): DeviceRecord[] {
    return [...this.byDevice.values()].filter((d) => d.user === user);
  }

  /** A member's devices as their list shows them, oldest first. */
  deviceList(user: string): DeviceView[] {
    return this.devicesOf(user)
      .sort((a, b) => a.added - b.added)
      .map((d) => ({ id: d.id, label: d.label, added: d.added, ...(d.seen !== undefined ? { seen: d.seen } : {}) }));
  }

  /** `label`, or `label (2)`, `label (3)`…: two machines of one member never look the same in their list. */
  freeLabel(user: string, label: string): string {
    const taken = new Set(this.devicesOf(user).map((d) => d.label));
    if (!taken.has(label)) return label;
    for (let n = 2; ; n++) {
      const next = `${label.slice(0, 58)} (${n})`;
      if (!taken.has(next)) return next;
    }
  }

  reservedMessage(name: string, invitee: string, maker: string): string {
    const like = nameKey(invitee) === nameKey(name) ? '' : ` (it could pass for ${invitee})`;
    return `the name ${name} is reserved${like} for a teammate ${this.users.get(maker)?.name ?? 'a member'} invited; they join with that invite`;
  }
}
