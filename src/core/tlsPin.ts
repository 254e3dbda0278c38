import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
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
        ? `the relay's certificate changed: expected ${formatFingerprint(problem.expected!)}, got ${formatFingerprint(problem.fingerprint)}. Someone may be intercepting the connection, or the host made a new certificate; nothing was sent`
        : `the relay's certificate (${formatFingerprint(problem.fingerprint)}) is not trusted yet; compare it with the host's and trust it to connect`,
    );
  }
}

/**
 * A `createConnection` for `ws` that checks the relay's certificate before the HTTP upgrade
 * (which carries the team secret) leaves this machine:
 * - with a pinned fingerprint, the certificate must have exactly that SHA-256 fingerprint
 *   (self-signed is fine: the pin is the trust);
 * - without one, the certificate must verify against the system's CAs and the host name.
 * On failure the socket is destroyed with a CertificateError while the TLS handshake finishes,
 * before the buffered request is written.
 */
export function pinnedTlsConnect(pinned: string | undefined): (opts: ConnectionOptions) => TLSSocket {
  const pin = pinned ? normalizeFingerprint(pinned) : undefined;
  return (opts) => {
    const socket = connect({ ...opts, rejectUnauthorized: false });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      const got = cert ? normalizeFingerprint(cert.fingerprint256) : undefined;
      if (!got) {
        socket.destroy(new Error('the relay presented no certificate'));
        return;
      }
      if (pin) {
        if (got !== pin) socket.destroy(new CertificateError({ kind: 'changed', fingerprint: got, expected: pin }));
        return;
      }
      if (!socket.authorized) socket.destroy(new CertificateError({ kind: 'unknown', fingerprint: got }));
    });
    return socket;
  };
}
