/**
 * The architecture rules of eslint.config.js catch what they are meant to: snippets linted with the project's own
 * configuration as if they were files at the given paths (ESLint's Node API; the imports they name are real files of
 * the tree, resolved as the lint resolves them). The imported entry points are packages' published ones, so that the
 * cases outlive the files they happen to sit next to.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, relative } from 'node:path';
import { ESLint } from 'eslint';
import { repoRoot } from '../../scripts/platform.ts';

const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: `${repoRoot}eslint.config.js` });

/** The rules that report the snippet, as `rule: message` lines (one per finding). */
async function findings(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}${path}` });
  assert.ok(result, `a result for ${path}`);
  return result.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const rules = (lines: string[]): string[] => lines.map((line) => line.slice(0, line.indexOf(':')));

describe('a domain module imports no GraphQL, Redis or HTTP framework', () => {
  const domainFile = 'subgraphs/relay/src/domain/lint-case.ts';
  for (const [library, because] of [
    ['redis', /knows no Redis/],
    ['@redis/client', /knows no Redis/],
    ['graphql', /knows no GraphQL/],
    ['@apollo/server', /knows no GraphQL/],
    ['graphql-ws', /knows no GraphQL/],
    ['express', /knows no HTTP framework/],
    ['undici', /knows no HTTP framework/],
    ['node:http', /knows no HTTP framework/],
    ['ws', /knows no HTTP framework/],
  ] as const) {
    it(`reports ${library}`, async () => {
      const found = await findings(domainFile, `import * as library from '${library}';\nexport const used = library;\n`);
      assert.deepEqual(rules(found), ['no-restricted-imports'], found.join('\n'));
      assert.match(found[0] ?? '', because);
    });
  }

  it('reports a re-export and a type-only import as well', async () => {
    const found = await findings(
      domainFile,
      `export { createClient } from 'redis';\nimport type { GraphQLSchema } from 'graphql';\nexport type Schema = GraphQLSchema;\n`,
    );
    assert.deepEqual(rules(found), ['no-restricted-imports', 'no-restricted-imports'], found.join('\n'));
  });

  it('reports a dynamic import()', async () => {
    for (const [library, because] of [
      ['redis', /knows no Redis/],
      ['@apollo/server', /knows no GraphQL/],
      ['node:http', /knows no HTTP framework/],
    ] as const) {
      const found = await findings(domainFile, `export const load = () => import('${library}');\n`);
      assert.deepEqual(rules(found), ['no-restricted-syntax'], found.join('\n'));
      assert.match(found[0] ?? '', because);
    }
    // A name that only begins like a forbidden one is not forbidden.
    assert.deepEqual(await findings(domainFile, "export const load = () => import('http-errors');\n"), []);
  });

  it('allows the kit, Node built-ins other than HTTP, validation and its own subgraph', async () => {
    const code = [
      "import { createHash } from 'node:crypto';",
      "import { z } from 'zod';",
      "import { createLogger } from '@lgsp/kit';",
      "import { loadRelayConfig } from '../config.ts';",
      'export const used = [createHash, z, createLogger, loadRelayConfig];',
      '',
    ].join('\n');
    assert.deepEqual(await findings(domainFile, code), []);
  });

  it('holds in every subgraph and package, not only the relay', async () => {
    for (const file of ['subgraphs/catalogs/src/domain/lint-case.ts', 'packages/kit/src/domain/lint-case.ts']) {
      assert.deepEqual(
        rules(await findings(file, "import { createClient } from 'redis';\nexport const used = createClient;\n")),
        ['no-restricted-imports'],
        file,
      );
    }
    // Outside domain/ the adapters use Redis freely.
    assert.deepEqual(
      await findings('subgraphs/relay/src/store/lint-case.ts', "import { createClient } from 'redis';\nexport const used = createClient;\n"),
      [],
    );
  });
});

describe('a subgraph imports no other subgraph', () => {
  it('reports another subgraph by package name', async () => {
    const found = await findings(
      'subgraphs/relay/src/store/lint-case.ts',
      "import { startSubscriptions } from '@lgsp/subscriptions';\nexport const used = startSubscriptions;\n",
    );
    assert.deepEqual(rules(found), ['import-x/no-restricted-paths'], found.join('\n'));
    assert.match(found[0] ?? '', /A subgraph imports no other subgraph/);
  });

  it('reports another subgraph by relative path, from its tests too', async () => {
    for (const file of ['subgraphs/relay/src/lint-case.ts', 'subgraphs/relay/src/lint-case.test.ts']) {
      const found = await findings(file, "import { loadCatalogsConfig } from '../../catalogs/src/config.ts';\nexport const used = loadCatalogsConfig;\n");
      assert.deepEqual(rules(found), ['import-x/no-restricted-paths'], `${file}\n${found.join('\n')}`);
    }
    const deep = await findings(
      'subgraphs/catalogs/src/domain/lint-case.ts',
      "import { startNationalData } from '../../../../subgraphs/national-data/src/service.ts';\nexport const used = startNationalData;\n",
    );
    assert.deepEqual(rules(deep), ['import-x/no-restricted-paths'], deep.join('\n'));
  });

  it('allows its own files, the kit and the simulator in its tests', async () => {
    const code = [
      "import { createLogger } from '@lgsp/kit';",
      "import { startSimulator } from '@lgsp/simulator';",
      "import { loadRelayConfig } from '../config.ts';",
      'export const used = [createLogger, startSimulator, loadRelayConfig];',
      '',
    ].join('\n');
    assert.deepEqual(await findings('subgraphs/relay/src/store/lint-case.test.ts', code), []);
  });

  it('reports an import that does not resolve, which the path rules could not judge', async () => {
    const found = await findings(
      'subgraphs/relay/src/lint-case.ts',
      "import { nothing } from '@lgsp/subscriptions/no-such-entry';\nexport const used = nothing;\n",
    );
    assert.deepEqual(rules(found), ['import-x/no-unresolved'], found.join('\n'));
  });
});

describe('only tests, scripts and benchmarks import a subgraph', () => {
  /** The catalogs subgraph's service module, by a relative path from `file`. */
  const startsCatalogs = (file: string): string =>
    `import { startCatalogs } from '${relative(dirname(file), 'subgraphs/catalogs/src/service.ts')}';\nexport const used = startCatalogs;\n`;

  it('reports the gateway, the simulator and a shared package importing a subgraph', async () => {
    for (const file of ['gateway/src/lint-case.ts', 'simulator/src/lint-case.ts', 'packages/kit/src/lint-case.ts']) {
      const found = await findings(file, startsCatalogs(file));
      assert.deepEqual(rules(found), ['import-x/no-restricted-paths'], `${file}\n${found.join('\n')}`);
      assert.match(found[0] ?? '', /Only tests, scripts and benchmarks start a subgraph/);
    }
  });

  it("allows the gateway's tests, test/, scripts/ and bench/ to start one", async () => {
    for (const file of ['gateway/src/lint-case.test.ts', 'test/e2e/lint-case.test.ts', 'scripts/lint-case.ts', 'bench/lint-case.ts']) {
      assert.deepEqual(await findings(file, startsCatalogs(file)), [], file);
      assert.deepEqual(await findings(file, "import { startSubscriptions } from '@lgsp/subscriptions';\nexport const used = startSubscriptions;\n"), [], file);
    }
  });
});

describe('a shared package imports no service', () => {
  it('reports the gateway and the simulator', async () => {
    for (const [specifier, name] of [
      ['@lgsp/gateway', 'startGateway'],
      ['@lgsp/simulator', 'startSimulator'],
    ]) {
      const found = await findings('packages/kit/src/lint-case.ts', `import { ${name} } from '${specifier}';\nexport const used = ${name};\n`);
      assert.deepEqual(rules(found), ['import-x/no-restricted-paths'], found.join('\n'));
      assert.match(found[0] ?? '', /A shared package depends on no service/);
    }
  });
});
