// Which received files the view offers to open in an editor: text, and not too large for one.

/** Files up to this size open in an editor; larger ones are only saved. */
export const OPEN_MAX_BYTES = 1024 * 1024;

const TEXT_MIMES = new Set([
  'application/json',
  'application/ld+json',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/typescript',
  'application/x-typescript',
  'application/x-sh',
  'application/x-shellscript',
  'application/sql',
  'application/graphql',
  'application/x-httpd-php',
  'application/x-python',
  'application/x-ndjson',
  'application/csv',
  'application/x-patch',
  'application/x-diff',
  'application/x-tex',
]);

const TEXT_EXTENSIONS = new Set(
  (
    'txt text md markdown mdx rst adoc org tex log csv tsv json jsonc json5 jsonl ndjson yaml yml toml ini cfg conf properties env xml svg html htm xhtml ' +
    'css scss sass less styl js mjs cjs jsx ts mts cts tsx vue svelte astro py pyi rb go rs java kt kts scala groovy gradle c h cc cpp cxx hh hpp hxx m mm ' +
    'cs fs fsx vb swift dart php pl pm lua r jl ex exs erl hrl hs elm ml mli clj cljs edn nim zig sol v sv vhd sh bash zsh fish ps1 psm1 bat cmd ' +
    'sql graphql gql proto thrift tf tfvars hcl nix dockerfile makefile mk cmake lock diff patch gitignore gitattributes editorconfig npmrc nvmrc'
  ).split(' '),
);

/** Names without an extension that are text by convention. */
const TEXT_NAMES = new Set([
  'dockerfile',
  'makefile',
  'readme',
  'license',
  'licence',
  'changelog',
  'authors',
  'contributing',
  'notice',
  'copying',
  'gemfile',
  'rakefile',
  'procfile',
  'vagrantfile',
  'jenkinsfile',
  'codeowners',
]);

/** Whether a file is text by its media type or its name. */
export function isTextFile(name: string, mime?: string): boolean {
  const type = (mime ?? '').toLowerCase().split(';')[0].trim();
  if (type.startsWith('text/') || TEXT_MIMES.has(type) || /^[\w.-]+\/[\w.-]+\+(json|xml|yaml)$/.test(type)) return true;
  const base = name.toLowerCase().replace(/^.*[\\/]/, '');
  if (TEXT_NAMES.has(base)) return true;
  const dot = base.lastIndexOf('.');
  // ".gitignore": the whole name is the "extension".
  const ext = dot >= 0 ? base.slice(dot + 1) : '';
  return ext !== '' && TEXT_EXTENSIONS.has(ext);
}

/** Whether the view offers "Open" for a received file: text, and small enough for an editor. */
export function canOpenFile(name: string, mime: string | undefined, size: number): boolean {
  return size <= OPEN_MAX_BYTES && isTextFile(name, mime);
}
