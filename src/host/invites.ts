import * as vscode from 'vscode';
import { formatFingerprint } from '../infra/fingerprint';
import { inviteText, makeInvite, parseInvite, type Invite } from '../infra/invite';
import { checkJoin } from '../protocol/joinForm';
import { readConfig } from './config';
import type { Session } from './session';
import { ask, showError, showInfo } from './messages';
import { askText, pickOne } from './picks';
import { describeInvite } from './teamChange';
import { teamNow } from './teamCommands';

/** The URI scheme of this editor (`vscode`, `vscode-insiders`, `code-oss`, …) for invite links. */
const scheme = () => vscode.env.uriScheme;

/** The safe answer to a certificate question: first, so it is the default button. */
export const DONT_CONNECT = "Don't Connect";

/**
 * Joining by invite (a `…://parley.parley/join?…` link opened from anywhere, or its text pasted),
 * copying invites, and what to do when a relay's certificate is unknown or changed.
 */
export class Invites {
  constructor(
    private readonly session: Session,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  register(context: vscode.ExtensionContext): void {
    context.subscriptions.push(
      vscode.window.registerUriHandler({
        handleUri: (uri) => {
          if (uri.path !== '/join') {
            void showError(`Parley: unknown link ${uri.path}; an invite link ends in /join?…`);
            return;
          }
          void this.acceptText(`${uri.scheme}://${uri.authority}${uri.path}?${uri.query}`, undefined, 'link').catch((err: Error) => {
            this.log.error(`invite: ${err.message}`);
            void showError(`Parley: ${err.message}`);
          });
        },
      }),
      this.session.onCertificateProblem(({ url, problem }) => void this.onCertificate(url, problem)),
    );
  }

  /**
   * Parses an invite (link or pasted text) and, after confirmation, joins. Returns whether it
   * joined. `from`: pasted by the user, opened as a link (the question says so), or already
   * `confirmed` (parley.joinInvite's guard has just asked the same question).
   */
  async acceptText(text: string, name?: string, from: 'pasted' | 'link' | 'confirmed' = 'pasted'): Promise<boolean> {
    const parsed = parseInvite(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return this.accept(parsed.invite, name, from);
  }

  private async accept(inv: Invite, presetName: string | undefined, from: 'pasted' | 'link' | 'confirmed'): Promise<boolean> {
    if (from !== 'confirmed') {
      const pinned = this.session.pinned(inv.relayUrl);
      const q = describeInvite(inv, teamNow(this.session), { asked: from === 'link', ...(pinned ? { pinned } : {}) });
      if ((await ask('info', q.text, { modal: true, detail: q.detail }, q.button)) !== q.button) return false;
    }
    const cfg = readConfig();
    // A named invite is for one name: the relay keeps it for the invitee, and the token works for it only.
    const name =
      inv.invitee ??
      presetName ??
      (await askText({
        title: `Join ${inv.team ?? 'the team'}`,
        prompt: 'Your display name',
        value: cfg.displayName,
        ignoreFocusOut: true,
        validateInput: (v) => {
          const c = checkJoin(inv.relayUrl, v, inv.secret ?? '');
          return c.ok ? undefined : c.message;
        },
      }));
    if (!name) return false;
    const check = checkJoin(inv.relayUrl, name, inv.secret ?? '');
    if (!check.ok) throw new Error(check.message);
    if (inv.token) this.session.useInviteToken(inv.token);
    return this.session.join(check.url, check.name, inv.secret, inv.fingerprint);
  }

  /**
   * An invite for one teammate by name: the relay keeps the name for them until they join with
   * it (once, within seven days), and it carries no team secret (its token is their way in).
   */
  async copyFor(): Promise<string | undefined> {
    const client = this.session.client;
    if (!client || client.state !== 'connected') throw new Error('sign in to your team first: the relay makes named invites');
    const invitee = await askText({
      title: 'Invite a teammate by name',
      prompt: 'Their display name: the relay keeps it for them until they join with this invite (once, within seven days)',
      ignoreFocusOut: true,
      validateInput: (v) => {
        const c = checkJoin('ws://localhost', v, '');
        return c.ok ? undefined : c.message;
      },
    });
    if (!invitee) return undefined;
    const made = await client.makeNamedInvite(invitee.trim());
    const all = await this.current();
    let base = all[0];
    if (all.length > 1) {
      const pick = await pickOne(
        all.map((i) => ({ label: i.relayUrl, value: i })),
        { title: `Invite ${made.name} to which address?`, placeHolder: 'This machine has several network addresses; pick the one they can reach' },
      );
      if (!pick) return undefined;
      base = pick;
    }
    const inv = makeInvite({ relayUrl: base.relayUrl, fingerprint: base.fingerprint, team: base.team, invitee: made.name, token: made.token });
    if (!inv.ok) throw new Error(inv.message);
    const text = inviteText(inv.invite, scheme());
    await vscode.env.clipboard.writeText(text);
    void showInfo(
      `Parley: invite for ${made.name} copied. It works once, until ${new Date(made.expires).toLocaleDateString()}, and holds no team secret; the name ${made.name} is kept for them.`,
    );
    return text;
  }

  /** The invite to the team this window is in: the host's own invites when hosting, otherwise rebuilt from this window's join details. */
  async current(): Promise<Invite[]> {
    const team = readConfig().teamName || undefined;
    const hosted = this.session.hosting.invites(team);
    if (hosted.length) return hosted;
    const d = await this.session.joinDetails();
    if (!d) throw new Error('join or host a team first');
    const made = makeInvite({ relayUrl: d.url, secret: d.secret, fingerprint: d.fingerprint, team });
    if (!made.ok) throw new Error(made.message);
    return [made.invite];
  }

  /** Copies an invite (picking the address when the host has several) to the clipboard. */
  async copy(): Promise<string | undefined> {
    const all = await this.current();
    let inv = all[0];
    if (all.length > 1) {
      const pick = await pickOne(
        all.map((i) => ({ label: i.relayUrl, value: i })),
        { title: 'Copy an invite for which address?', placeHolder: 'This machine has several network addresses; pick the one your team can reach' },
      );
      if (!pick) return undefined;
      inv = pick;
    }
    const text = inviteText(inv, scheme());
    await vscode.env.clipboard.writeText(text);
    const shared = /^wss?:\/\/(127\.|\[::1\]|localhost)/.test(inv.relayUrl)
      ? ' It reaches this machine only: host with "Share on this network" to invite others.'
      : '';
    const fp = inv.fingerprint
      ? ` Tell them the certificate fingerprint another way (in person, by phone) so they can check it: ${formatFingerprint(inv.fingerprint).slice(0, 23)}…`
      : '';
    void showInfo(`Parley: invite copied.${inv.secret ? ' It contains the team secret: send it only to teammates.' : ''}${shared}${fp}`);
    return text;
  }

  /**
   * A relay's certificate was refused. Both questions put the safe choice first: VS Code's modal
   * makes the first item the primary, focused button (Enter) and adds Cancel for Escape.
   */
  private async onCertificate(url: string, problem: { kind: 'unknown' | 'changed'; fingerprint: string; expected?: string }): Promise<void> {
    const got = formatFingerprint(problem.fingerprint);
    if (problem.kind === 'unknown') {
      const pick = await ask(
        'warning',
        `Parley: ${url} uses a certificate this window has not seen before.`,
        {
          modal: true,
          detail: `Fingerprint (SHA-256):\n${got}\n\nCompare it with the one the host sees (Parley: Show Hosting Status), told to you another way (in person, by phone), before trusting it.`,
        },
        DONT_CONNECT,
        'Trust and Connect',
      );
      if (pick !== 'Trust and Connect') return;
    } else {
      const pick = await ask(
        'error',
        `Parley: the certificate of ${url} has changed. Not connected; nothing was sent.`,
        {
          modal: true,
          detail: `Expected:\n${formatFingerprint(problem.expected ?? '')}\nPresented:\n${got}\n\nEither the host made a new certificate, or someone is intercepting the connection. Ask the host for a new invite; trust the new certificate only if the host confirms this fingerprint.`,
        },
        DONT_CONNECT,
        'Trust the New Certificate',
      );
      if (pick !== 'Trust the New Certificate') return;
    }
    await this.session.pin(url, problem.fingerprint, { replace: true });
    const cfg = readConfig();
    if (cfg.relayUrl === url && cfg.displayName) await this.session.connect(url, cfg.displayName);
  }
}
