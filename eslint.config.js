// Type-aware lint for the whole project (npm test runs it with --max-warnings 0).
// Workflow code gets the Temporal samples' rules: no Node built-ins, no clients or activity implementations.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);

const workflowBannedPaths = [
  ...nodeBuiltins.map((name) => ({ name, message: 'Workflow code is deterministic: no Node built-ins.' })),
  { name: '@temporalio/client', message: 'Workflow code talks to Temporal only through @temporalio/workflow.' },
  { name: '@temporalio/worker', message: 'Workflow code talks to Temporal only through @temporalio/workflow.' },
  { name: '@temporalio/activity', message: 'Activities are reached through proxyActivities and the contract.' },
  { name: 'ajv', message: 'Ajv does not belong in the workflow bundle.' },
];
const workflowBannedPatterns = (allowActivityTypes = false) => [
  { group: ['**/worker/**', '**/api/**', '**/cli/**'], message: 'workflows/ imports nothing from worker/, api/ or cli/.' },
  {
    group: ['**/activities/**'],
    message: 'Activity types come from workflows/contract/, never the implementations.',
    ...(allowActivityTypes ? { allowTypeImports: true } : {}),
  },
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'data/', 'test/.artifacts/', 'definitions/generated/', 'docs/', '**/*.mjs', '**/*.cjs', 'eslint.config.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: { 'import-x/extensions': ['.ts'], 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: workflowBannedPaths, patterns: workflowBannedPatterns() }] },
  },
  {
    // The worker loads the workflow modules once and every run it holds shares them (worker/worker.ts,
    // preloadModules): a module-level variable would be every run's at once. A run keeps its state in its context.
    files: [
      'workflows/**/*.ts',
      'definitions/duration.ts',
      'definitions/readable.ts',
      'definitions/plan.ts',
      'definitions/messages/message-data.ts',
      'definitions/compiler/template-sites.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['Program > VariableDeclaration', 'Program > ExportNamedDeclaration > VariableDeclaration'].map((at) => ({
          selector: `${at}[kind!='const']`,
          message: 'Workflow modules are shared by every run of a worker (worker/worker.ts, preloadModules): no module-level let or var.',
        })),
      ],
    },
  },
  {
    // The contract derives the activity interface from the implementations (ReturnType<typeof createActivities>):
    // a type-only import, erased before bundling, is the one way workflow code may name activities/.
    files: ['workflows/contract/activity-interface.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { paths: workflowBannedPaths, patterns: workflowBannedPatterns(true) }],
    },
  },
);
