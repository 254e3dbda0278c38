// Lint rules for the whole tree (run by `npm test` as `npm run lint`). The type-aware rules need
// the project's tsconfigs: the extension, relay and tests (tsconfig.json) and the webview's own.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'media/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `x!` hides the case the compiler asked about; narrow or handle it instead.
      '@typescript-eslint/no-non-null-assertion': 'error',
      // A switch over a union names every member (or has a default): a new frame type, body kind
      // or view message cannot be silently ignored.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // A test that has just checked a thing exists may say so with `!`: a wrong guess fails the test.
    // Tests load host code under a stand-in `vscode` module with require(), on purpose.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
