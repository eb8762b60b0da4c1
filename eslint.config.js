import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import moduleSeams from './eslint-rules/module-seams.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/node_modules/**', 'web/dist/**', '.warden/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // `import { type A }` keeps an empty `import {}` (verbatimModuleSyntax): a side-effect import that can close a cycle.
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    // Every directory under src/ is a module; others reach it only through its index.js (docs/architecture.md).
    files: ['src/**/*.ts'],
    plugins: { local: { rules: { 'module-seams': moduleSeams } } },
    rules: { 'local/module-seams': 'error' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
