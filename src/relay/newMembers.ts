import { CloseCode, ErrorCode } from '../protocol/constants';
import { AuthThrottle, isLoopback, strongSecret } from './auth';
import type { Connection } from './connection';
import type { TeamSecret } from './teamSecret';

// Who may become a new member, and how often: the team secret (wrong guesses counted per
// address), then each address's hourly share of new members. Members already in never pass
// here: they sign in with their keys, so a stale secret after a rotation never locks them out.

export interface Refusal {
  code: ErrorCode;
  message: string;
  close: number;
}

export class NewMemberGate {
  private readonly throttle = new AuthThrottle(10, 60_000);
  /** New members made per address in the last hour (the throttle's sliding window, reused). */
  private readonly made: AuthThrottle;

  /** `perHour`: the option as given (undefined: loopback is not limited). */
  constructor(
    private readonly secret: TeamSecret,
    private readonly perHour: number | undefined,
    private readonly log: (line: string) => void,
  ) {
    this.made = new AuthThrottle(perHour ?? 30, 3_600_000);
  }

  /**
   * Whether `remote` has made its hourly share of new members. Loopback is this machine (its
   * user, or a test) and is limited only when a limit was set explicitly; behind a reverse
   * proxy on the same machine, set one.
   */
  limited(remote: string): boolean {
    if (this.perHour === undefined && isLoopback(remote)) return false;
    return this.made.blocked(remote);
  }

  /** Counts a new member made from `remote`. */
  madeFrom(remote: string): void {
    this.made.fail(remote);
  }

  /** Counts a wrong guess (a secret, an invite) from `remote`. */
  wrongGuess(remote: string): void {
    this.throttle.fail(remote);
  }

  /**
   * Why a new member may not be made on this connection, if not: the team secret (wrong guesses
   * count per address; past the limit a weak secret is refused even when right, a strong one —
   * unguessable — never is), then the hourly new-member share of the address.
   */
  refusal(conn: Connection): Refusal | undefined {
    // The team's current secret (teamSecret.ts: given at start or rotated; a rotated one, random,
    // is strong even when this process does not hold it after a restart).
    const secret = this.secret.secret;
    if (this.secret.secretRequired) {
      const blocked = this.throttle.blocked(conn.remote);
      if (!conn.secretOk) {
        if (blocked)
          return { code: ErrorCode.rateLimited, message: 'too many wrong team secrets from this network; wait a minute', close: CloseCode.rateLimited };
        this.throttle.fail(conn.remote);
        this.log(`refused a new member from ${conn.remote}: wrong team secret`);
        return { code: ErrorCode.badSecret, message: 'wrong or missing team secret', close: CloseCode.badSecret };
      }
      if (blocked && secret !== undefined && !strongSecret(secret)) {
        return {
          code: ErrorCode.rateLimited,
          message: 'too many wrong team secrets from this network; wait a minute (a longer team secret would not be locked out)',
          close: CloseCode.rateLimited,
        };
      }
    }
    if (this.limited(conn.remote))
      return { code: ErrorCode.rateLimited, message: 'too many new members from this address in the last hour; try again later', close: CloseCode.rateLimited };
    return undefined;
  }
}
