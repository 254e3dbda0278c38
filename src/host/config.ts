import * as vscode from 'vscode';
import type { NotifyLevel } from '../core/notifyPolicy';

export interface ParleyConfig {
  relayUrl: string;
  displayName: string;
  notifications: NotifyLevel;
  quietWhileDebugging: boolean;
  awayAfterMinutes: number;
  hostPort: number;
  hostOnStartup: boolean;
}

export function readConfig(): ParleyConfig {
  const c = vscode.workspace.getConfiguration('parley');
  const level = c.get<string>('notifications', 'mentionsAndDms');
  return {
    relayUrl: c.get<string>('relayUrl', '').trim(),
    displayName: c.get<string>('displayName', '').trim(),
    notifications: level === 'all' || level === 'none' ? level : 'mentionsAndDms',
    quietWhileDebugging: c.get<boolean>('quietWhileDebugging', true),
    awayAfterMinutes: Math.max(1, c.get<number>('awayAfterMinutes', 5)),
    hostPort: c.get<number>('hostPort', 7420),
    hostOnStartup: c.get<boolean>('hostOnStartup', false),
  };
}

export async function saveConfig(values: Partial<Pick<ParleyConfig, 'relayUrl' | 'displayName' | 'hostOnStartup'>>): Promise<void> {
  const c = vscode.workspace.getConfiguration('parley');
  for (const [k, v] of Object.entries(values)) await c.update(k, v, vscode.ConfigurationTarget.Global);
}
