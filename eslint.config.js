// @ts-check
/**
 * ESLint for the whole tree (`npm run lint`, which `npm test` runs). Two kinds of rules:
 *
 * - the architecture, as errors (below "Architecture"): what a domain module, a subgraph and a shared package import;
 * - ESLint's and typescript-eslint's recommended rules, with the few settings the code base needs, each with its reason.
 *
 * Layout is Prettier's (`.prettierrc.json`); no rule here is about layout. Type-aware rules are not used: on the whole
 * tree they take four times the time of these rules and mostly restate what `tsc --noEmit` already checks.
 * test/repo/lint-rules.test.ts checks that the architecture rules catch what they are meant to.
 */
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/** The subgraphs, from the workspaces: each folder `subgraphs/<name>` is one. */
const subgraphs = /** @type {{ workspaces: string[] }} */ (JSON.parse(readFileSync(`${root}/package.json`, 'utf8'))).workspaces
  .filter((workspace) => workspace.startsWith('subgraphs/'))
  .map((workspace) => workspace.slice('subgraphs/'.length));

/** Code that starts services: it may import a subgraph (to start it); nothing else does. */
const startsServices = ['test/**', 'scripts/**', 'bench/**', 'gateway/src/**/*.test.ts'];

/** What a domain module does without: it states the rules; the adapters around it speak GraphQL, Redis and HTTP. */
const notInDomain = [
  { group: ['graphql', 'graphql-*', '@apollo/*', '@graphql-*/*'], message: 'A domain module knows no GraphQL: the resolvers translate to and from it.' },
  { group: ['redis', '@redis/*'], message: 'A domain module knows no Redis: it uses a port, and the Redis adapter lives outside domain/.' },
  {
    group: ['express', 'express-*', '@as-integrations/*', 'undici', 'ws', 'http', 'https', 'http2', 'node:http', 'node:https', 'node:http2'],
    message: 'A domain module knows no HTTP framework: routes and clients live outside domain/ and call it.',
  },
];

/** The same libraries as a regular expression over an `import()`'s specifier, which no-restricted-imports does not see. */
const dynamicImportOf = (/** @type {string[]} */ group) =>
  `ImportExpression[source.value=/^(${group.map((name) => name.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replaceAll('*', '[^\\/]*')).join('|')})(\\/|$)/]`;

/** A zone of `import-x/no-restricted-paths`: files under `target` import nothing under `from` (folders from the root). */
const zone = (/** @type {string | string[]} */ target, /** @type {string | string[]} */ from, /** @type {string} */ message) => ({ target, from, message });

export default defineConfig(
  { ignores: ['**/node_modules/', '**/dist/', '.bench-out/', '.tmp/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { globals: globals.node },
    plugins: { 'import-x': importX },
    // Workspace packages resolve through node_modules to their folders, so a package name and a relative path into the
    // same folder are the same import to the architecture rules.
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: {
      // The architecture rules skip an import they cannot resolve; this makes such an import a finding instead.
      'import-x/no-unresolved': 'error',
      // A leading underscore marks a value left out on purpose (a field dropped from a copy, a parameter a signature needs).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `let x; x = f(() => … x …)`: a callback that may run before `f` returns reads the variable, so it cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests, their helpers and the benchmarks read answers whose shape they assert at run time.
    files: ['**/*.test.ts', '**/testing.ts', '**/testing/**', 'test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Runnable examples for agency developers (docs/examples/, run by test/e2e/doc-examples.test.ts): plain Node ESM.
    files: ['docs/examples/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // GraphiQL's page loads the graphql-ws and GraphiQL bundles as scripts before this one (landing/graphiql.ts).
    files: ['gateway/src/landing/*.js'],
    languageOptions: { globals: { ...globals.browser, graphqlWs: 'readonly', YogaGraphiQL: 'readonly' }, sourceType: 'script' },
  },

  // ---- Architecture ----
  {
    files: ['**/src/domain/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: notInDomain }],
      'no-restricted-syntax': ['error', ...notInDomain.map(({ group, message }) => ({ selector: dynamicImportOf(group), message }))],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: startsServices,
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            ...subgraphs.map((name) =>
              zone(
                `subgraphs/${name}`,
                subgraphs.filter((other) => other !== name).map((other) => `subgraphs/${other}`),
                'A subgraph imports no other subgraph: shared code lives in packages/, and a test that runs two subgraphs lives in test/.',
              ),
            ),
            zone(
              ['gateway', 'simulator', 'keycloak', 'schema', 'packages'],
              'subgraphs',
              'Only tests, scripts and benchmarks start a subgraph; other code reaches one over GraphQL.',
            ),
            zone('packages', ['gateway', 'simulator'], 'A shared package depends on no service: the services use it, not the other way round.'),
          ],
        },
      ],
    },
  },
);
