// ESLint with typescript-eslint over every TypeScript source; build output and deps ignored.
// TypeScript files are linted with type information (recommendedTypeChecked): the project service
// finds each file's nearest tsconfig.json (webview/tsconfig.json for webview/, the root one for
// extension/, server/, test/, scripts/, bench/), so the rules see the same types tsc does.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'artifacts/**', '.vscode-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name='postMessage'] > Literal",
        message: 'Post typed messages from server/protocol/webview.ts, not string literals.',
      }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Tests read JSON off the wire (JSON-RPC replies, CLI stdout, child-process messages) and poke at
    // it field by field; typing every such value would bury the assertions. mocha/assert idioms
    // (passing `assert.ok`, `this.skip`, a class's method as a callback) trip unbound-method without a bug.
    // Everything else stays on here, notably the promise rules: a floating promise in a test is a
    // test that can pass without running its assertion.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // JavaScript (build scripts, runners, fixtures) is linted without type information.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', exports: 'writable', performance: 'readonly', __dirname: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
  },
);
