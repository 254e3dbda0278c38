#!/usr/bin/env node
// Keeps the house navigable: no source file over FILE_MAX lines of code and no function over
// FUNCTION_MAX, counting neither comments nor blank lines (issue 16). Run by `npm test`; with
// `--report` it lists every file and function over half the limits as well, biggest first.
//
// Exempt: schemas that are one long list by nature (protocol/wire.ts) and generated data
// (protocol/confusablesData.ts). A function's lines are those of its body, nested functions
// included: a 60-line function that is mostly one nested callback is still 60 lines to read.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const FILE_MAX = 300;
const FUNCTION_MAX = 60;
const EXEMPT = new Set(['src/protocol/wire.ts', 'src/protocol/confusablesData.ts']);
const root = new URL('..', import.meta.url).pathname;
const report = process.argv.includes('--report');

function* sources(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

/** For each line of `text`, whether it holds code (not only whitespace and comments). */
function codeLines(text) {
  const code = new Array(text.split('\n').length).fill(false);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const lineOf = (pos) => ts.getLineAndCharacterOfPosition(src, pos).line;
  const src = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest);
  // Walk the tokens (scanning template literals and regexes through the parser's own tree would
  // be exact; the scanner alone is close enough for counting and never marks a comment as code).
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.SingleLineCommentTrivia || k === ts.SyntaxKind.MultiLineCommentTrivia) continue;
    if (k === ts.SyntaxKind.WhitespaceTrivia || k === ts.SyntaxKind.NewLineTrivia) continue;
    const first = lineOf(scanner.getTokenStart());
    const last = lineOf(scanner.getTokenEnd());
    for (let l = first; l <= last; l++) code[l] = true;
  }
  return code;
}

function functionName(node, src) {
  if (node.name) return node.name.getText(src);
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return p.name.getText(src);
  return `(anonymous at line ${src.getLineAndCharacterOfPosition(node.getStart(src)).line + 1})`;
}

const problems = [];
const near = [];
for (const file of sources(join(root, 'src'))) {
  const rel = relative(root, file);
  const text = readFileSync(file, 'utf8');
  const code = codeLines(text);
  const loc = code.filter(Boolean).length;
  if (!EXEMPT.has(rel)) {
    if (loc > FILE_MAX) problems.push(`${rel}: ${loc} lines of code (at most ${FILE_MAX})`);
    else if (report && loc > FILE_MAX / 2) near.push([loc / FILE_MAX, `${rel}: ${loc} lines of code`]);
  }
  const src = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const a = src.getLineAndCharacterOfPosition(node.body.getStart(src)).line;
      const b = src.getLineAndCharacterOfPosition(node.body.getEnd()).line;
      let n = 0;
      for (let l = a; l <= b; l++) if (code[l]) n++;
      const where = `${rel}:${a + 1} ${functionName(node, src)}`;
      if (n > FUNCTION_MAX && !EXEMPT.has(rel)) problems.push(`${where}: ${n} lines of code (at most ${FUNCTION_MAX})`);
      else if (report && n > FUNCTION_MAX / 2) near.push([n / FUNCTION_MAX, `${where}: ${n} lines of code`]);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}

if (report) for (const [, line] of near.sort((x, y) => y[0] - x[0])) console.log(`  near: ${line}`);
if (problems.length > 0) {
  console.error(`${problems.length} over the size limits (split them; see docs/ARCHITECTURE.md):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`sizes: every file under ${FILE_MAX} lines of code, every function under ${FUNCTION_MAX}`);
