import { hostname, networkInterfaces } from 'node:os';
import { isLoopback } from './auth';

/**
 * Decides whether a hello was signed for this relay. A relay that forwards a live nonce to a
 * victim gets a signature over the address the victim dialled (its own) and, with TLS, over its
 * own certificate; the real relay refuses both.
 * - With TLS, the certificate is the relay's identity: the signed fingerprint must be ours (the
 *   address may then be any name that reaches us).
 * - Without TLS, the signed address must be one of ours: a configured public address
 *   (`publicUrls`, e.g. behind a reverse proxy), or this machine (loopback, an interface address,
 *   its host name) on the port we listen on.
 */
export class RelayAddress {
  private readonly publicUrls = new Set<string>();

  constructor(
    private readonly port: () => number,
    private readonly fingerprint: string | undefined,
    publicUrls: readonly string[] = [],
  ) {
    for (const u of publicUrls) this.addPublicUrl(u);
  }

  /** Another address that reaches this relay (a reverse proxy, a DNS name, a test's proxy). */
  addPublicUrl(url: string): void {
    const key = originKey(url);
    if (!key) throw new Error(`not a ws:// or wss:// address: ${url}`);
    this.publicUrls.add(key);
  }

  /** Undefined when the hello was signed for us; otherwise why not. */
  problem(signedUrl: string, signedFingerprint: string | undefined): string | undefined {
    let u: URL;
    try {
      u = new URL(signedUrl);
    } catch {
      return `the signed relay address ${JSON.stringify(signedUrl.slice(0, 80))} is not an address`;
    }
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return `the signed relay address must be ws:// or wss://, not ${u.protocol}`;
    if (this.fingerprint) {
      if (u.protocol !== 'wss:') return 'this relay serves wss://; the hello was signed for a ws:// address';
      if (signedFingerprint !== this.fingerprint)
        return "the hello was signed for another certificate than this relay's: it was made for a different relay (or one in between)";
      return undefined;
    }
    if (this.publicUrls.has(originKey(signedUrl) ?? '')) return undefined;
    if (u.protocol !== 'ws:')
      return `this relay does not serve wss:// itself; add ${u.origin} as a public address (--public-url) if a TLS proxy stands in front of it`;
    const port = Number(u.port || 80);
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (port === this.port() && isThisMachine(host)) return undefined;
    return `the hello was signed for ${u.host}, which is not this relay: it was made for a different relay (or one in between). If ${u.host} does reach this relay, its operator can add it with --public-url`;
  }
}

/** `scheme//host:port` with the default port filled in, or undefined. */
function originKey(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return undefined;
    return `${u.protocol}//${u.hostname.toLowerCase()}:${u.port || (u.protocol === 'wss:' ? 443 : 80)}`;
  } catch {
    return undefined;
  }
}

function isThisMachine(host: string): boolean {
  if (isLoopback(host)) return true;
  const name = hostname().toLowerCase();
  if (host === name || host === `${name}.local`) return true;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.address.toLowerCase().split('%')[0] === host) return true;
  }
  return false;
}
