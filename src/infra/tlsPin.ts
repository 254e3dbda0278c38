import { connect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { formatFingerprint, normalizeFingerprint } from './fingerprint';

/** What the relay's certificate turned out to be, when it was not accepted. */
export interface CertificateProblem {
  kind: 'unknown' | 'changed';
  /** The fingerprint the relay presented (64 hex). */
  fingerprint: string;
  /** The pinned fingerprint it should have had (for `changed`). */
  expected?: string;
}

/** Refusal of a TLS relay before anything (the team secret included) was sent to it. */
export class CertificateError extends Error {
  constructor(readonly problem: CertificateProblem) {
    super(
      problem.kind === 'changed'
        ? `the relay's certificate changed: expected ${short(problem.expected ?? '')}, got ${short(problem.fingerprint)}. Someone may be intercepting the connection, or the host made a new certificate; nothing was sent`
        : `the relay's certificate (${short(problem.fingerprint)}) is not trusted yet; compare it with the host's and trust it to connect`,
    );
  }
}

/** The first 8 bytes, enough to tell two certificates apart in a one-line message (dialogs show all 32). */
const short = (hex: string) => `${formatFingerprint(hex).slice(0, 23)}…`;

/** TLS options for the WebSocket request (`ca`, `checkServerIdentity`), empty for a CA-verified relay. */
export interface RelayTlsOptions {
  ca?: string;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

/**
 * Decides how to trust a wss:// relay, before the WebSocket request (which carries the team
 * secret) is made:
 * - A first TLS handshake, sending nothing, reads the certificate the relay presents.
 * - With a pinned fingerprint it must match; the request then trusts exactly that certificate
 *   (`ca`) and checks the pin again on its own handshake (`checkServerIdentity`), so a certificate
 *   swapped between the two handshakes fails verification before a byte of the request is sent.
 * - Without a pin the certificate must verify against the system's CAs and the host name;
 *   otherwise it is `unknown` (the user may compare and trust it).
 * These are ordinary request options: they survive the extension host's patched `https`, which
 * puts its own agent on requests (ignoring a custom `createConnection`).
 */
export async function relayTlsOptions(url: string, pinned: string | undefined, timeoutMs = 10_000): Promise<RelayTlsOptions> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 443);
  const pin = pinned ? normalizeFingerprint(pinned) : undefined;
  const seen = await new Promise<{ pem: string; fingerprint: string; authorized: boolean }>((resolve, reject) => {
    const socket = connect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerX509Certificate();
      const authorized = socket.authorized;
      socket.end();
      if (!cert) reject(new Error('the relay presented no certificate'));
      else {
        const fingerprint = normalizeFingerprint(cert.fingerprint256);
        if (!fingerprint) reject(new Error("the relay's certificate has no SHA-256 fingerprint"));
        else resolve({ pem: cert.toString(), fingerprint, authorized });
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  if (!pin) {
    if (seen.authorized) return {};
    throw new CertificateError({ kind: 'unknown', fingerprint: seen.fingerprint });
  }
  if (seen.fingerprint !== pin) throw new CertificateError({ kind: 'changed', fingerprint: seen.fingerprint, expected: pin });
  return {
    ca: seen.pem,
    checkServerIdentity: (_host, cert) => {
      const got = normalizeFingerprint(cert.fingerprint256 ?? '');
      return got === pin ? undefined : new CertificateError({ kind: 'changed', fingerprint: got ?? '', expected: pin });
    },
  };
}
