/**
 * Teams on the local network, by DNS-SD over multicast DNS (RFC 6762/6763): a relay probes for
 * its instance name, then answers queries for `_parley._tcp.local` with PTR, SRV, TXT and A
 * records and announces changes; a browser asks with back-off and keeps what answered until its
 * TTL runs out. Both take the interface to use, so tests (and users with several networks) can
 * keep it to one, loopback included. Everything that arrives is admitted by size and by a
 * per-source and an overall packet budget before it is even decoded (see docs/RELIABILITY.md).
 */
export { DISCOVERY_LIMITS, SERVICE, interfaceAddress, lanAddresses, type DiscoveryOptions } from './mdnsSocket';
export type { DiscoveredTeam, TeamInfo } from './teamRecords';
export { Announcer } from './announcer';
export { TeamBrowser, type BrowserOptions, type BrowserStats } from './teamBrowser';
