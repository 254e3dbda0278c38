// The signed sign-in (protocol 2). The relay opens every connection with a `challenge` carrying
// a fresh nonce; the client answers with a `hello` whose signature covers that nonce and the
// relay as the client reached it. A relay that captures a hello can replay it nowhere: another
// relay's nonce differs, and one that forwards a live nonce is named in the signed address (and,
// with TLS, the certificate fingerprint), which the real relay checks against its own.

/**
 * The exact bytes a hello signs: a JSON array, UTF-8. An array (not joined text) so that no
 * choice of name or address can make two different hellos sign the same bytes.
 */
export function helloPayload(p: {
  v: number;
  nonce: string;
  relay: string;
  fingerprint?: string;
  name: string;
  key: string;
  code?: string;
  legacy?: string;
}): string {
  return JSON.stringify(['parley-hello', p.v, p.nonce, p.relay, p.fingerprint ?? '', p.name, p.key, p.code ?? '', p.legacy ?? '']);
}
