import type { Limits } from '../protocol/constants';
import type { GateLimits } from './admission';
import type { Store } from './store';

export interface RelayOptions {
  store: Store;
  /** Address to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** Port; 0 picks a free one. Default 7420. */
  port?: number;
  /** Team secret. Required by the CLI when binding beyond loopback. */
  secret?: string;
  /** Browser origins allowed to connect. Connections that send any other Origin are refused. */
  allowedOrigins?: string[];
  limits?: Partial<Limits>;
  heartbeatMs?: number;
  handshakeTimeoutMs?: number;
  /** Cap on bytes queued to one connection before it is cut off as a slow consumer. */
  maxQueuedBytes?: number;
  /** Caps on sockets that are not a member's yet (see SocketGate). */
  gate?: Partial<GateLimits>;
  /** Connections one member may have open at once. Default 8 (windows and machines). */
  maxConnectionsPerMember?: number;
  /** New members one address may make per hour. Default 30. */
  newMembersPerHour?: number;
  /** Time allowed for a request's headers (slowloris guard). Default 10 s. */
  headersTimeoutMs?: number;
  /** Keep at most this many messages per conversation (0: keep all). */
  retain?: number;
  /** Called when a member comes online or goes offline (e.g. to refresh a discovery announcement). */
  onPresence?: () => void;
  /**
   * Other addresses that reach this relay (a reverse proxy, a DNS name): a hello signed for one
   * of them is ours. The machine's own addresses on the listening port always are.
   */
  publicUrls?: string[];
  /** The team's owner by name (`parley-relay --owner`, the hosting member); default: its first member. */
  owner?: string;
  /** Called with the new team secret after an admin rotates it (kept hashed in the store). */
  onSecret?: (secret: string) => void;
  /** Serve wss:// with this key and certificate (PEM); see loadOrCreateCertificate. */
  tls?: { key: string; cert: string };
  log?: (line: string) => void;
}
