import { common, createLowlight } from 'lowlight';
import { AUTO_DETECT_MAX_CHARS, detectionSample, highlightBounded, type BudgetMeter } from '../logic/highlightBudget';
import { visible } from './dom';

type HastNode =
  | { type: 'text'; value: string }
  | { type: 'element'; tagName: string; properties?: { className?: unknown }; children: HastNode[] }
  | { type: 'root'; children: HastNode[] };

const lowlight = createLowlight(common);

const ALIASES: Record<string, string> = {
  typescriptreact: 'typescript',
  javascriptreact: 'javascript',
  ts: 'typescript',
  js: 'javascript',
  sh: 'bash',
  shellscript: 'bash',
  py: 'python',
  rs: 'rust',
  yml: 'yaml',
  'c++': 'cpp',
  csharp: 'csharp',
  md: 'markdown',
  jsonc: 'json',
};

/**
 * Highlighted code as DOM nodes (spans with hljs-* classes coloured from theme variables). The
 * cost is bounded (logic/highlightBudget.ts): code that is too big, lines that are too long and
 * whatever is left when the time budget runs out are plain text in the same block. Blocks given
 * the same `meter` (one message's) share one budget.
 */
export function highlightCode(code: string, lang: string | undefined, meter: BudgetMeter = { spentMs: 0 }): DocumentFragment {
  const frag = document.createDocumentFragment();
  let name = lang ? (ALIASES[lang.toLowerCase()] ?? lang.toLowerCase()) : undefined;
  if (!name && code.length <= AUTO_DETECT_MAX_CHARS) {
    const t0 = performance.now();
    try {
      name = lowlight.highlightAuto(detectionSample(code)).data?.language;
    } catch {
      name = undefined;
    }
    meter.spentMs += performance.now() - t0;
  }
  if (!name || !lowlight.registered(name)) {
    frag.append(visible(code));
    return frag;
  }
  const language = name;
  // Each chunk's nodes are built inside the budget, so it bounds the DOM work too.
  const chunkNodes = (chunk: string) => {
    const nodes = document.createDocumentFragment();
    append(nodes, lowlight.highlight(language, chunk) as HastNode);
    return nodes;
  };
  for (const s of highlightBounded(code, chunkNodes, { meter })) frag.append(s.tree ?? visible(s.code));
  return frag;
}

function append(parent: Node, node: HastNode): void {
  if (node.type === 'text') {
    parent.appendChild(visible(node.value));
    return;
  }
  let target: Node = parent;
  if (node.type === 'element') {
    const span = document.createElement('span');
    const cls = node.properties?.className;
    if (Array.isArray(cls)) span.className = cls.filter((c): c is string => typeof c === 'string').join(' ');
    parent.appendChild(span);
    target = span;
  }
  for (const child of node.children) append(target, child);
}
