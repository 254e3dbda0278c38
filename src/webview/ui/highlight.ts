import { common, createLowlight } from 'lowlight';

type HastNode = { type: 'text'; value: string } | { type: 'element'; tagName: string; properties?: { className?: unknown }; children: HastNode[] } | { type: 'root'; children: HastNode[] };

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

/** Highlighted code as DOM nodes (spans with hljs-* classes coloured from theme variables). */
export function highlightCode(code: string, lang: string | undefined): DocumentFragment {
  const frag = document.createDocumentFragment();
  const name = lang ? (ALIASES[lang.toLowerCase()] ?? lang.toLowerCase()) : undefined;
  let tree: HastNode | undefined;
  try {
    if (name && lowlight.registered(name)) tree = lowlight.highlight(name, code) as HastNode;
    else if (!name && code.length < 4000) tree = lowlight.highlightAuto(code) as HastNode;
  } catch {
    tree = undefined;
  }
  if (!tree) {
    frag.append(code);
    return frag;
  }
  append(frag, tree);
  return frag;
}

function append(parent: Node, node: HastNode): void {
  if (node.type === 'text') {
    parent.appendChild(document.createTextNode(node.value));
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
