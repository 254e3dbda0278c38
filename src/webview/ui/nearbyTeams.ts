import type { DiscoveredTeamView } from '../../protocol/view';
import { bdi, h, icon } from './dom';

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
export function renderNearby(teams: DiscoveredTeamView[], pick: (t: DiscoveredTeamView) => void, flooded: boolean): HTMLElement {
  const section = h('section', { class: 'nearby', attrs: { 'aria-label': 'Teams on this network' } }, h('h2', { text: 'Teams on this network' }));
  if (flooded)
    section.append(
      h(
        'p',
        { class: 'nearby-flood small', attrs: { role: 'alert' } },
        icon('warning'),
        h('span', { text: ' More answers than can be listed: someone on this network may be imitating teams. Prefer an invite.' }),
      ),
    );
  if (teams.length === 0) {
    section.append(h('p', { class: 'muted small', text: 'None found yet. Teams hosted with "Share on this network" appear here.' }));
    return section;
  }
  section.append(h('ul', { class: 'nearby-list' }, ...teams.map((t) => nearbyTeam(t, pick))));
  return section;
}

/** One team of the list: name, address, counts, trust, and its Use button. */
function nearbyTeam(t: DiscoveredTeamView, pick: (t: DiscoveredTeamView) => void): HTMLElement {
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
  if (t.fingerprint)
    text.append(
      h('div', { class: 'nearby-fp muted small', attrs: { title: t.fingerprint } }, 'Certificate ', h('code', { text: `${t.fingerprint.slice(0, 23)}…` })),
    );
  if (t.sameName > 1)
    text.append(
      h(
        'div',
        { class: 'nearby-same small', attrs: { role: 'note' } },
        icon('warning'),
        ` ${t.sameName} teams called “`,
        bdi(t.team),
        '” — check the address with whoever hosts it.',
      ),
    );
  return h(
    'li',
    { class: `nearby-team${t.sameName > 1 ? ' same-name' : ''}${t.trust === 'changed' ? ' trust-changed' : ''}`, attrs: { 'data-team': t.id } },
    icon(t.trust === 'trusted' ? 'verified' : t.secure ? 'shield' : 'broadcast'),
    text,
    h('button', {
      class: 'secondary small',
      text: 'Use',
      attrs: {
        type: 'button',
        title: `Fill in ${t.url}${t.secret ? ' (the team secret is still needed)' : ''}`,
        'aria-label': `Use ${t.team} at ${address}`,
      },
      on: { click: () => pick(t) },
    }),
  );
}
