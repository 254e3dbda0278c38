import { checkJoin } from '../../protocol/joinForm';
import type { DiscoveredTeamView, ViewSnapshot } from '../../protocol/view';
import { joinError } from '../logic/joinErrors';
import { brandIcon, h, icon, setText } from './dom';
import { renderNearby } from './nearbyTeams';

export interface WelcomeHooks {
  join(relayUrl: string, name: string, secret: string): void;
  host(name: string): void;
  invite(text: string): void;
}

interface Field {
  err: HTMLElement;
  el: HTMLElement;
  input: HTMLInputElement;
}

function field(id: string, label: string, input: HTMLInputElement, hint: string): Field {
  input.id = id;
  const err = h('div', { class: 'field-error', attrs: { id: `${id}-error`, role: 'alert' } });
  input.setAttribute('aria-describedby', `${id}-error ${id}-hint`);
  const el = h(
    'div',
    { class: 'field' },
    h('label', { text: label, attrs: { for: id } }),
    input,
    err,
    h('div', { class: 'hint', text: hint, attrs: { id: `${id}-hint` } }),
  );
  return { err, el, input };
}

/** Shows (or, with '', clears) a field's error: under the field, announced, and marked invalid. */
function setError(f: Field, message: string): void {
  setText(f.err, message);
  f.el.classList.toggle('invalid', message !== '');
  if (message) f.input.setAttribute('aria-invalid', 'true');
  else f.input.removeAttribute('aria-invalid');
}

/** Relay address, display name and team secret, with why the last attempt failed under its field. */
function joinForm(snap: ViewSnapshot, hooks: WelcomeHooks): { form: HTMLElement; fill(t: DiscoveredTeamView): void } {
  const url = h('input', { attrs: { type: 'text', placeholder: 'ws://192.168.1.20:7420', spellcheck: 'false' } });
  url.value = snap.prefill.relayUrl;
  const name = h('input', { attrs: { type: 'text', placeholder: 'e.g. ada', spellcheck: 'false', maxlength: '32' } });
  name.value = snap.prefill.name;
  const secret = h('input', { attrs: { type: 'password', placeholder: 'from whoever hosts the relay' } });
  const fUrl = field('relay-url', 'Relay address', url, 'Ask the teammate who hosts, or run npx parley-relay.');
  const fName = field('display-name', 'Display name', name, 'Letters, digits, . _ - (up to 32).');
  const fSecret = field('team-secret', 'Team secret', secret, 'Leave empty if the relay has none. Kept in VS Code secret storage.');
  const fields = { relayUrl: fUrl, name: fName, secret: fSecret };
  // Why the last attempt failed goes under the field it concerns (the name, the secret, the address).
  const failed = joinError({ ...snap.connection, relayUrl: snap.connection.relayUrl ?? snap.prefill.relayUrl }, snap.prefill.name);
  if (failed) setError(fields[failed.field], failed.message);
  const connecting =
    snap.connection.state === 'connecting'
      ? h(
          'p',
          { class: 'join-status muted', attrs: { role: 'status' } },
          icon('sync'),
          h('span', { text: ` Connecting to ${snap.connection.relayUrl ?? 'the relay'}…` }),
        )
      : undefined;

  const form = h(
    'form',
    { class: 'join-form', attrs: { 'aria-label': 'Join a team' } },
    fUrl.el,
    fName.el,
    fSecret.el,
    h('button', { class: 'primary', text: 'Join team', attrs: { type: 'submit' } }),
    connecting,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const f of Object.values(fields)) setError(f, '');
    const check = checkJoin(url.value, name.value, secret.value);
    if (!check.ok) {
      setError(fields[check.field], check.message);
      fields[check.field].input.focus();
      return;
    }
    hooks.join(check.url, check.name, secret.value);
  });
  const fill = (t: DiscoveredTeamView) => {
    url.value = t.url;
    (name.value ? secret : name).focus();
  };
  return { form, fill };
}

function hostForm(snap: ViewSnapshot, hooks: WelcomeHooks): HTMLElement {
  const hostName = h('input', {
    attrs: { type: 'text', placeholder: 'your display name', spellcheck: 'false', maxlength: '32', 'aria-label': 'Your display name for hosting' },
  });
  hostName.value = snap.prefill.name;
  const hostErr = h('div', { class: 'field-error', attrs: { id: 'host-name-error', role: 'alert' } });
  hostName.setAttribute('aria-describedby', 'host-name-error');
  const form = h(
    'form',
    { class: 'host-form', attrs: { 'aria-label': 'Host a team' } },
    hostName,
    h('button', { class: 'secondary', text: 'Host on this machine', attrs: { type: 'submit' } }),
    hostErr,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const check = checkJoin('ws://127.0.0.1', hostName.value, '');
    setText(hostErr, check.ok ? '' : check.message);
    form.classList.toggle('invalid', !check.ok);
    if (check.ok) hostName.removeAttribute('aria-invalid');
    else hostName.setAttribute('aria-invalid', 'true');
    if (check.ok) hooks.host(check.name);
  });
  return form;
}

/** An invite (link or the whole text a host copied) joins in one step; the host checks it. */
function inviteForm(hooks: WelcomeHooks): HTMLElement {
  const inviteInput = h('textarea', {
    attrs: { id: 'invite-text', rows: '2', spellcheck: 'false', placeholder: 'vscode://parley.parley/join?…  or the whole invite text' },
  });
  const form = h(
    'form',
    { class: 'invite-form', attrs: { 'aria-label': 'Join with an invite' } },
    h('label', { text: 'Have an invite? Paste it here', attrs: { for: 'invite-text' } }),
    inviteInput,
    h('button', { class: 'primary', text: 'Join with invite', attrs: { type: 'submit' } }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (inviteInput.value.trim()) hooks.invite(inviteInput.value);
    else inviteInput.focus();
  });
  return form;
}

/** First run: join a team (relay address, name, secret) or host one on this machine. */
export function renderWelcome(snap: ViewSnapshot, hooks: WelcomeHooks): HTMLElement {
  const join = joinForm(snap, hooks);
  // With discovery off (the default for some), "None found yet" would mislead: say it is off.
  const nearby =
    snap.discovery === false
      ? h('p', { class: 'muted small nearby-off', text: 'Teams on this network: discovery is off (Parley › Discovery: Enabled).' })
      : renderNearby(snap.discovered, join.fill, snap.discoveryFlooded === true);
  return h(
    'main',
    { class: 'welcome' },
    h('h1', {}, brandIcon(), ' Parley'),
    h('p', { class: 'muted', text: 'Team chat inside VS Code. Share code with its context; nothing leaves your network.' }),
    inviteForm(hooks),
    nearby,
    h('h2', { text: 'Join a team' }),
    join.form,
    h('h2', { text: 'Or host one' }),
    h('p', {
      class: 'muted small',
      text: 'Starts a relay inside this VS Code window. Next you choose who can reach it: this machine only, or teammates on your network (with a team secret, optionally encrypted).',
    }),
    hostForm(snap, hooks),
  );
}

/** The fields the join screen keeps across snapshots (what the user typed survives a re-render). */
const KEPT_FIELDS = ['relay-url', 'display-name', 'team-secret', 'invite-text'] as const;

/**
 * The join screen in `root`, rendered again for each snapshot while signed out: what the user
 * has typed, the focus and the scroll position survive, and a new failure brings its field into view.
 */
export class WelcomeScreen {
  /** The connection state and detail the join form last showed. */
  private shownFailure = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly hooks: WelcomeHooks,
  ) {}

  /** `shown`: the join screen is what `root` holds now (its fields are kept). */
  show(snap: ViewSnapshot, shown: boolean): void {
    // Keep what the user has typed so far across snapshots, and where the form was scrolled to.
    const input = (id: string) => this.root.querySelector(`#${id}`) as HTMLInputElement | null;
    const scrolled = this.root.querySelector('main.welcome')?.scrollTop ?? 0;
    const typed = shown ? KEPT_FIELDS.map((id) => [id, input(id)?.value] as const) : undefined;
    const focus = shown ? document.activeElement?.id : undefined;
    // (Retrying is one failure, however often its "retrying in …" changes.)
    const failure = snap.connection.state === 'reconnecting' ? 'reconnecting' : `${snap.connection.state}:${snap.connection.detail ?? ''}`;
    const newFailure = failure !== this.shownFailure;
    this.shownFailure = failure;
    this.root.replaceChildren(renderWelcome(snap, this.hooks));
    for (const [id, v] of typed ?? []) {
      const el = input(id);
      if (el && v !== undefined) el.value = v;
    }
    if (focus) (this.root.querySelector(`#${focus}`) as HTMLElement | null)?.focus();
    const welcome = this.root.querySelector('main.welcome');
    if (welcome) welcome.scrollTop = scrolled;
    // A new reason the join failed: bring its field into view.
    if (newFailure) {
      const invalid = this.root.querySelector('[aria-invalid="true"]') as HTMLElement | null;
      invalid?.scrollIntoView({ block: 'center' });
      invalid?.focus({ preventScroll: true });
    }
  }

  /** Focus for Parley: Open Chat: the first empty field, else the first button or field. */
  focus(): void {
    const fields = [...this.root.querySelectorAll<HTMLInputElement>('main.welcome input')];
    const target = fields.find((f) => !f.value && !f.disabled) ?? this.root.querySelector<HTMLElement>('main.welcome button, main.welcome input');
    target?.focus();
  }
}
