// ESLint flat config. The rule that matters most: src/core must not import `vscode`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'examples/**', 'demo-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // TypeScript itself checks names (Node, DOM and mocha types per tsconfig).
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(['process', 'console', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
        'setImmediate', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal', 'fetch', 'performance', 'global', 'globalThis',
        '__dirname', '__filename', 'require', 'module', 'exports', 'TextDecoder', 'TextEncoder', 'structuredClone',
        'queueMicrotask'].map((g) => [g, 'readonly'])),
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core runs in plain Node: keep VS Code at the edge (src/vscode, src/panel).' }] }],
    },
  },
);
