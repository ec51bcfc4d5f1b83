// ESLint flat config. The rules that matter most: src/core must not import `vscode`, and imports run one way
// between the folders (the no-restricted-imports blocks at the end).
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
    // Type-aware rules on the product's code: a promise nobody awaits or handles (a failure lost, an
    // order broken), and `any` flowing into typed code unchecked (what JSON, the webview and settings
    // give must be checked first).
    files: ['src/**/*.ts', 'media/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
    },
  },
  {
    // markdown-it's Ruler keeps its rules in `__rules__` (internal): a markdown-it release may change
    // it without notice. src/core/scan/parser.ts reads the rules through the public API and checks them.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', ...['__rules__', '__cache__', '__find__', '__compile__'].map((property) => ({
        property, message: "markdown-it's Ruler internals: use its public API (getRules, enableOnly, at, before), as src/core/scan/parser.ts does.",
      }))],
    },
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
  // One way through the house (ARCHITECTURE.md): shared <- core <- vscode / panel glue; media <- shared.
  // Relative imports are matched as written, so each folder names the floors above it.
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'src/shared is bundled into the webview and used by the core: import only from src/shared (./…).' }] }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core runs in plain Node: keep VS Code at the edge (src/vscode, src/panel).' }],
        patterns: [{ regex: '^(\\.\\./)+(vscode|panel|media|extension)(/|$)', message: 'src/core imports only src/core and src/shared: the glue above it is passed in.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/mcp/**/*.ts', 'src/bin/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/cli and src/mcp run in plain Node without VS Code: they use src/core and src/shared.' }],
        patterns: [{ regex: '^(\\.\\./)+(vscode|panel|media|extension)(/|$)', message: 'src/cli and src/mcp import only src/cli, src/mcp, src/core and src/shared.' }],
      }],
    },
  },
  {
    files: ['src/vscode/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(panel|media|extension)(/|$)', message: 'src/vscode never imports src/panel: extension.ts passes the panel in (see CommandDeps).' }] }],
    },
  },
  {
    files: ['src/panel/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(media|extension)(/|$)', message: 'src/panel is host code: it shares with the webview only through src/shared.' }] }],
    },
  },
  {
    files: ['media/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./|\\.\\./src/shared/)', message: 'The webview imports only media/ and src/shared/ (it runs in the browser, not the extension host).' }] }],
    },
  },
);
