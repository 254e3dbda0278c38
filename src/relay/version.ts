/** The relay's own version, in `welcome` and `/healthz`. */
export const RELAY_VERSION = '0.1.0';
