// axe-core run inside the chat view of a real VS Code: the engine is evaluated into the webview's
// content frame through the DevTools protocol (the view's CSP allows no script of ours, and
// needs none: this is how a browser's own accessibility panel runs), then asked for violations.
import * as fs from 'node:fs';
import type { Frame, FrameLocator } from 'playwright-core';

export interface Violation {
  id: string;
  impact: string;
  help: string;
  /** Up to three offending elements, as axe names them (selector: what is wrong). */
  nodes: string[];
}

const source = (): string => fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The frame behind a FrameLocator (axe needs the frame itself, not a locator in it). */
async function frameOf(view: FrameLocator): Promise<Frame> {
  const body = await view.locator('body').elementHandle({ timeout: 10_000 });
  const frame = await body?.ownerFrame();
  if (!frame) throw new Error('the chat view has no content frame');
  return frame;
}

/**
 * Runs axe over the whole chat view as it is now and returns its violations of `impacts` (WCAG
 * 2.1 A and AA rules and axe's best practices).
 */
export async function axeViolations(view: FrameLocator, impacts: string[] = ['serious', 'critical']): Promise<Violation[]> {
  const frame = await frameOf(view);
  if (!(await frame.evaluate('typeof window.axe === "object"'))) await frame.evaluate(source());
  const found = await frame.evaluate(async () => {
    interface AxeNode {
      target: unknown[];
      failureSummary?: string;
    }
    interface AxeResult {
      id: string;
      impact: string | null;
      help: string;
      nodes: AxeNode[];
    }
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeResult[] }> } }).axe;
    const result = await axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`),
    }));
  });
  return found.filter((v) => impacts.includes(v.impact));
}

/** A violation list as lines for an assertion message. */
export function describeViolations(found: Violation[]): string {
  return found.map((v) => `[${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n');
}
