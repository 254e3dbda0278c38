import * as vscode from 'vscode';
import type { NotifyLevel } from '../client/notifyPolicy';

export interface ParleyConfig {
  relayUrl: string;
  displayName: string;
  notifications: NotifyLevel;
  quietWhileDebugging: boolean;
  shareReadReceipts: boolean;
  awayAfterMinutes: number;
  hostPort: number;
  hostOnStartup: boolean;
  hostShare: boolean;
  hostAddress: string;
  hostSecure: boolean;
  teamName: string;
  discovery: { enabled: boolean; interface: string };
}

export function readConfig(): ParleyConfig {
  const c = vscode.workspace.getConfiguration('parley');
  const level = c.get<string>('notifications', 'mentionsAndDms');
  return {
    relayUrl: c.get<string>('relayUrl', '').trim(),
    displayName: c.get<string>('displayName', '').trim(),
    notifications: level === 'all' || level === 'none' ? level : 'mentionsAndDms',
    quietWhileDebugging: c.get<boolean>('quietWhileDebugging', true),
    shareReadReceipts: c.get<boolean>('shareReadReceipts', true),
    awayAfterMinutes: Math.max(1, c.get<number>('awayAfterMinutes', 5)),
    hostPort: c.get<number>('hostPort', 7420),
    hostOnStartup: c.get<boolean>('hostOnStartup', false),
    hostShare: c.get<boolean>('hostShare', false),
    hostAddress: c.get<string>('hostAddress', '').trim(),
    hostSecure: c.get<boolean>('hostSecure', true),
    teamName: c.get<string>('teamName', '').trim(),
    discovery: { enabled: c.get<boolean>('discovery.enabled', true), interface: c.get<string>('discovery.interface', '').trim() },
  };
}

export async function saveConfig(
  values: Partial<Pick<ParleyConfig, 'relayUrl' | 'displayName' | 'hostOnStartup' | 'hostShare' | 'hostSecure' | 'teamName'>>,
): Promise<void> {
  const c = vscode.workspace.getConfiguration('parley');
  for (const [k, v] of Object.entries(values)) await c.update(k, v, vscode.ConfigurationTarget.Global);
}
