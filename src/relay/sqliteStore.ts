import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'node-sqlite3-wasm';
import { openExclusive } from '../infra/sqliteFile';
import { migrate } from '../infra/sqliteMigrations';
import type { Message, SearchHit } from '../protocol/wire';
import { ConversationTables } from './sqliteConversations';
import { MemberTables } from './sqliteMembers';
import { MessageTables } from './sqliteMessages';
import { RELAY_MIGRATIONS, relayLegacyVersion } from './sqliteSchema';
import { SearchIndex } from './sqliteSearch';
import { SqliteTables, type Row } from './sqliteTables';
import { TeamTables } from './sqliteTeam';
import type {
  AppendItem,
  AppendResult,
  ConversationRecord,
  DeviceRecord,
  FileInfo,
  InviteRecord,
  RemovedRecord,
  ReservedName,
  SearchQuery,
  Store,
  UserRecord,
} from './store';

/**
 * The embedded store: SQLite compiled to WebAssembly, persisted to one file. It loads in VS Code's
 * extension host as well as in plain Node. Every commit is fsync'd (WAL, synchronous = FULL; see
 * openExclusive), so callers batch a tick's writes into one appendBatch (one commit) and ack after
 * it returns. This class opens the file (schema: sqliteSchema.ts) and hands each call to the part
 * that holds those tables; it decides nothing (the rules are in rules.ts).
 */
export class SqliteStore implements Store {
  readonly epoch: string;
  readonly location: string;
  readonly openingNotes: readonly string[];
  private readonly db: Database;
  private readonly releaseOwner: () => void;
  private readonly stmts: Statement[] = [];
  private readonly members: MemberTables;
  private readonly team: TeamTables;
  private readonly convs: ConversationTables;
  private readonly messages: MessageTables;
  private readonly index: SearchIndex;

  constructor(file: string) {
    this.location = file;
    const opened = openExclusive(file, '');
    this.db = opened.db;
    this.releaseOwner = opened.release;
    const heads = new Map<string, number>();
    try {
      migrate(this.db, file, 'relay data', RELAY_MIGRATIONS, relayLegacyVersion);
      const meta = new SqliteTables(this.db, this.stmts);
      let epoch = meta.meta('epoch');
      if (epoch === undefined) {
        epoch = randomBytes(8).toString('hex');
        meta.setMeta('epoch', epoch);
      }
      this.epoch = epoch;
      for (const row of this.db.all('SELECT id, head FROM convs') as Row[]) heads.set(String(row.id), Number(row.head));
      this.members = new MemberTables(this.db, this.stmts);
      this.openingNotes = this.members.recomputeNameKeys();
      this.team = new TeamTables(this.db, this.stmts);
      this.convs = new ConversationTables(this.db, this.stmts, heads);
      this.messages = new MessageTables(this.db, this.stmts, heads, this.convs);
      this.index = new SearchIndex(this.db, this.stmts);
      this.index.startIfNone();
    } catch (err) {
      this.finalize();
      throw err;
    }
    this.index.indexPending();
  }

  // ---- members (sqliteMembers.ts) ----
  users(): UserRecord[] {
    return this.members.users();
  }
  createUser(u: UserRecord): void {
    this.members.createUser(u);
  }
  renameUser(id: string, name: string, norm: string): void {
    this.members.renameUser(id, name, norm);
  }
  retireLegacyKey(id: string): void {
    this.members.retireLegacyKey(id);
  }
  reservedNames(): ReservedName[] {
    return this.members.reservedNames();
  }
  reserveName(r: ReservedName): void {
    this.members.reserveName(r);
  }
  releaseName(norm: string): void {
    this.members.releaseName(norm);
  }
  invites(): InviteRecord[] {
    return this.members.invites();
  }
  addInvite(i: InviteRecord): void {
    this.members.addInvite(i);
  }
  removeInvite(hash: string): void {
    this.members.removeInvite(hash);
  }
  devices(): DeviceRecord[] {
    return this.members.devices();
  }
  addDevice(d: DeviceRecord, with_?: { user?: UserRecord; retireLegacyOf?: string }): void {
    this.members.addDevice(d, with_);
  }
  removeDevice(id: string): void {
    this.members.removeDevice(id);
  }
  deviceSeen(id: string, at: number): void {
    this.members.deviceSeen(id, at);
  }
  setShareRead(user: string, on: boolean): void {
    this.members.setShareRead(user, on);
  }

  // ---- conversations and read markers (sqliteConversations.ts) ----
  conversations(): ConversationRecord[] {
    return this.convs.conversations();
  }
  createConversation(c: Omit<ConversationRecord, 'head' | 'floor' | 'archived'>): void {
    this.convs.createConversation(c);
  }
  addMember(conv: string, user: string): void {
    this.convs.addMember(conv, user);
  }
  removeMember(conv: string, user: string): void {
    this.convs.removeMember(conv, user);
  }
  setRead(user: string, conv: string, seq: number): boolean {
    return this.convs.setRead(user, conv, seq);
  }
  passRead(user: string, conv: string, seq: number): void {
    this.convs.passRead(user, conv, seq);
  }
  reads(user: string): Map<string, number> {
    return this.convs.reads(user);
  }
  convReads(conv: string): Map<string, number> {
    return this.convs.convReads(conv);
  }
  convSeen(conv: string): Map<string, number> {
    return this.convs.convSeen(conv);
  }

  // ---- messages and files (sqliteMessages.ts) ----
  appendBatch(items: AppendItem[]): AppendResult[] {
    return this.messages.appendBatch(items);
  }
  findByClientId(author: string, id: string): Message | undefined {
    return this.messages.findByClientId(author, id);
  }
  after(conv: string, after: number, limit: number): Message[] {
    return this.messages.after(conv, after, limit);
  }
  afterJson(conv: string, after: number, limit: number): { seq: number; json: string }[] {
    return this.messages.afterJson(conv, after, limit);
  }
  before(conv: string, before: number, limit: number): Message[] {
    return this.messages.before(conv, before, limit);
  }
  beforeJson(conv: string, before: number, limit: number, maxBytes: number): { seq: number; json: string }[] {
    return this.messages.beforeJson(conv, before, limit, maxBytes);
  }
  prune(conv: string, keep: number): void {
    this.messages.prune(conv, keep);
  }
  fileInfo(file: string): FileInfo | undefined {
    return this.messages.fileInfo(file);
  }
  fileChunk(file: string, index: number): Buffer | undefined {
    return this.messages.fileChunk(file, index);
  }

  // ---- search (sqliteSearch.ts) ----
  search(q: SearchQuery): SearchHit[] {
    return this.index.search(q);
  }
  indexPending(maxRows?: number): boolean {
    return this.index.indexPending(maxRows);
  }

  // ---- team administration (sqliteTeam.ts) ----
  roles(): { user: string; role: 'owner' | 'admin' }[] {
    return this.team.roles();
  }
  setRole(user: string, role: 'owner' | 'admin' | 'member'): void {
    this.team.setRole(user, role);
  }
  removedMembers(): RemovedRecord[] {
    return this.team.removedMembers();
  }
  markRemoved(r: RemovedRecord, rooms: string[]): void {
    this.team.markRemoved(r, rooms);
  }
  roomCreators(): Map<string, string> {
    return this.team.roomCreators();
  }
  setRoomCreator(conv: string, user: string): void {
    this.team.setRoomCreator(conv, user);
  }
  setting(key: string): string | undefined {
    return this.team.setting(key);
  }
  setSetting(key: string, value: string): void {
    this.team.setSetting(key, value);
  }

  /** Runs PRAGMA integrity_check; returns 'ok' when the file is sound. */
  integrityCheck(): string {
    const rows = this.db.all('PRAGMA integrity_check') as Row[];
    return rows.map((r) => String(Object.values(r)[0])).join('; ');
  }

  close(): void {
    if (this.db.isOpen) this.finalize();
  }

  private finalize(): void {
    for (const s of this.stmts) if (!s.isFinalized) s.finalize();
    this.db.close();
    this.releaseOwner();
  }
}
