import { checkJoin } from '../../protocol/joinForm';
import type { DiscoveredTeamView, ViewSnapshot } from '../../protocol/view';
import { joinError } from '../logic/joinErrors';
import { bdi, brandIcon, h, icon, setText } from './dom';

export interface WelcomeHooks {
  join(relayUrl: string, name: string, secret: string): void;
  host(name: string): void;
  invite(text: string): void;
}

/** First run: join a team (relay address, name, secret) or host one on this machine. */
export function renderWelcome(snap: ViewSnapshot, hooks: WelcomeHooks): HTMLElement {
  const field = (id: string, label: string, input: HTMLInputElement, hint: string) => {
    input.id = id;
    const err = h('div', { class: 'field-error', attrs: { id: `${id}-error`, role: 'alert' } });
    input.setAttribute('aria-describedby', `${id}-error ${id}-hint`);
    const el = h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }), input, err, h('div', { class: 'hint', text: hint, attrs: { id: `${id}-hint` } }));
    return { err, el, input };
  };
  /** Shows (or, with '', clears) a field's error: under the field, announced, and marked invalid. */
  const setError = (f: { err: HTMLElement; el: HTMLElement; input: HTMLInputElement }, message: string) => {
    setText(f.err, message);
    f.el.classList.toggle('invalid', message !== '');
    if (message) f.input.setAttribute('aria-invalid', 'true');
    else f.input.removeAttribute('aria-invalid');
  };
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
  const connecting = snap.connection.state === 'connecting' ? h('p', { class: 'join-status muted', attrs: { role: 'status' } }, icon('sync'), h('span', { text: ` Connecting to ${snap.connection.relayUrl ?? 'the relay'}…` })) : undefined;

  const form = h('form', { class: 'join-form', attrs: { 'aria-label': 'Join a team' } }, fUrl.el, fName.el, fSecret.el, h('button', { class: 'primary', text: 'Join team', attrs: { type: 'submit' } }), connecting);
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

  const hostName = h('input', { attrs: { type: 'text', placeholder: 'your display name', spellcheck: 'false', maxlength: '32', 'aria-label': 'Your display name for hosting' } });
  hostName.value = snap.prefill.name;
  const hostErr = h('div', { class: 'field-error', attrs: { id: 'host-name-error', role: 'alert' } });
  hostName.setAttribute('aria-describedby', 'host-name-error');
  const hostForm = h('form', { class: 'host-form', attrs: { 'aria-label': 'Host a team' } }, hostName, h('button', { class: 'secondary', text: 'Host on this machine', attrs: { type: 'submit' } }), hostErr);
  hostForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const check = checkJoin('ws://127.0.0.1', hostName.value, '');
    setText(hostErr, check.ok ? '' : check.message);
    hostForm.classList.toggle('invalid', !check.ok);
    if (check.ok) hostName.removeAttribute('aria-invalid');
    else hostName.setAttribute('aria-invalid', 'true');
    if (check.ok) hooks.host(check.name);
  });

  // An invite (link or the whole text a host copied) joins in one step; the host checks it.
  const inviteInput = h('textarea', { attrs: { id: 'invite-text', rows: '2', spellcheck: 'false', placeholder: 'vscode://parley.parley/join?…  or the whole invite text' } });
  const inviteForm = h(
    'form',
    { class: 'invite-form', attrs: { 'aria-label': 'Join with an invite' } },
    h('label', { text: 'Have an invite? Paste it here', attrs: { for: 'invite-text' } }),
    inviteInput,
    h('button', { class: 'primary', text: 'Join with invite', attrs: { type: 'submit' } }),
  );
  inviteForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (inviteInput.value.trim()) hooks.invite(inviteInput.value);
    else inviteInput.focus();
  });

  const pick = (t: DiscoveredTeamView) => {
    url.value = t.url;
    (name.value ? secret : name).focus();
  };
  // With discovery off (the default for some), "None found yet" would mislead: say it is off.
  const nearby = snap.discovery === false ? h('p', { class: 'muted small nearby-off', text: 'Teams on this network: discovery is off (Parley › Discovery: Enabled).' }) : renderNearby(snap.discovered, pick, snap.discoveryFlooded === true);

  return h(
    'main',
    { class: 'welcome' },
    h('h1', {}, brandIcon(), ' Parley'),
    h('p', { class: 'muted', text: 'Team chat inside VS Code. Share code with its context; nothing leaves your network.' }),
    inviteForm,
    nearby,
    h('h2', { text: 'Join a team' }),
    form,
    h('h2', { text: 'Or host one' }),
    h('p', { class: 'muted small', text: 'Starts a relay inside this VS Code window. Next you choose who can reach it: this machine only, or teammates on your network (with a team secret, optionally encrypted).' }),
    hostForm,
  );
}

const TRUST: Record<DiscoveredTeamView['trust'], { icon: string; text: string }> = {
  trusted: { icon: 'verified', text: 'Certificate trusted: you joined this address before' },
  changed: { icon: 'warning', text: 'Certificate differs from the one you trust at this address: do not join unless the host says it changed' },
  unknown: { icon: 'shield', text: 'Certificate not trusted yet: compare it with the host’s before joining' },
  plain: { icon: 'unlock', text: 'Not encrypted (ws://): anyone on the network can read and imitate it' },
};

/**
 * "Teams on this network": what answered the DNS-SD query, each with the address it answered
 * from, how far its certificate is trusted here, and a warning when two entries' names would
 * pass for each other. Any machine on the network can answer with any name: the address, the
 * certificate and an invite tell the real team from an imitation, the name does not.
 */
function renderNearby(teams: DiscoveredTeamView[], pick: (t: DiscoveredTeamView) => void, flooded: boolean): HTMLElement {
  const section = h('section', { class: 'nearby', attrs: { 'aria-label': 'Teams on this network' } }, h('h2', { text: 'Teams on this network' }));
  if (flooded) section.append(h('p', { class: 'nearby-flood small', attrs: { role: 'alert' } }, icon('warning'), h('span', { text: ' More answers than can be listed: someone on this network may be imitating teams. Prefer an invite.' })));
  if (teams.length === 0) {
    section.append(h('p', { class: 'muted small', text: 'None found yet. Teams hosted with "Share on this network" appear here.' }));
    return section;
  }
  const list = h('ul', { class: 'nearby-list' });
  for (const t of teams) {
    const who = `${t.members} member${t.members === 1 ? '' : 's'} · ${t.online} online`;
    const trust = TRUST[t.trust];
    const address = t.url.replace(/^wss?:\/\//, '');
    const text = h(
      'div',
      { class: 'nearby-text' },
      h('div', { class: 'nearby-name' }, bdi(t.team)),
      h('div', { class: 'nearby-address', attrs: { title: t.url } }, h('code', { text: address }), ' · ', bdi(t.host)),
      h('div', { class: 'muted small' }, `${who}${t.secure ? ' · TLS' : ''}`),
      h('div', { class: `nearby-trust small trust-${t.trust}` }, icon(trust.icon), h('span', { text: ` ${trust.text}` })),
    );
    if (t.fingerprint) text.append(h('div', { class: 'nearby-fp muted small', attrs: { title: t.fingerprint } }, 'Certificate ', h('code', { text: `${t.fingerprint.slice(0, 23)}…` })));
    if (t.sameName > 1) text.append(h('div', { class: 'nearby-same small', attrs: { role: 'note' } }, icon('warning'), ` ${t.sameName} teams called “`, bdi(t.team), '” — check the address with whoever hosts it.'));
    list.append(
      h(
        'li',
        { class: `nearby-team${t.sameName > 1 ? ' same-name' : ''}${t.trust === 'changed' ? ' trust-changed' : ''}`, attrs: { 'data-team': t.id } },
        icon(t.trust === 'trusted' ? 'verified' : t.secure ? 'shield' : 'broadcast'),
        text,
        h('button', { class: 'secondary small', text: 'Use', attrs: { type: 'button', title: `Fill in ${t.url}${t.secret ? ' (the team secret is still needed)' : ''}`, 'aria-label': `Use ${t.team} at ${address}` }, on: { click: () => pick(t) } }),
      ),
    );
  }
  section.append(list);
  return section;
}
