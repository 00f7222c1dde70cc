import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layer table is enforced by eslint.config.js; this proves each row bites on a bad import
// and that the message names the rule, by linting one line as if it were in an existing file
// of that folder (the file on disk is not touched).
const root = new URL('../../', import.meta.url).pathname;
// Only the import rules run, without type information: the same rows, in a second, not the
// half a minute a typed program takes to build on a loaded machine.
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

// Loading the config and plugins takes seconds on a busy machine: do it once, off the clock of
// the first case.
beforeAll(async () => {
  await eslint.lintText('export {};\n', { filePath: 'src/domain/status.ts' });
}, 120_000);

async function messagesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('the layer table is enforced by lint, naming the rule broken', () => {
  it.each([
    [
      'src/services/read-cache.ts',
      "import { x } from '../adapters/memory/memory-directory.ts';",
      'services → domain, ports',
    ],
    ['src/ports/clock.ts', "import { x } from '../services/read-cache.ts';", 'ports → domain'],
    [
      'src/adapters/memory/memory-directory.ts',
      "import { x } from '../../bot/cards/index.ts';",
      'adapters → domain, ports',
    ],
    [
      'src/bot/resolve-actor.ts',
      "import { x } from '../dev/demo/demo-school.ts';",
      'bot → domain, ports, services',
    ],
    [
      'src/api/route-context.ts',
      "import { x } from '../dev/identity/dev-identity-provider.ts';",
      'api → domain, ports, services',
    ],
    [
      'src/api/route-context.ts',
      "import { x } from '../adapters/graph/graph-gateway.ts';",
      'api → domain, ports, services',
    ],
    [
      'src/server/http-server.ts',
      "import { x } from '../dev/local-stack.ts';",
      'server (composition root) → all but dev',
    ],
    [
      'src/cli/run-cli.ts',
      "import { x } from '../dev/emulator-command.ts';",
      'cli → all but dev (dev tools load on demand)',
    ],
    [
      'src/importer/zip-guard.ts',
      "import { x } from '../services/read-cache.ts';",
      'importer → domain',
    ],
    [
      'src/http/read-body.ts',
      "import { x } from '../domain/errors.ts';",
      'http → nothing of the app',
    ],
    [
      'src/services/read-cache.ts',
      "import { x } from '../http/read-body.ts';",
      'services → domain, ports',
    ],
    [
      'teams-app/src/api/api-types.ts',
      "import type { x } from '../../../src/services/countersign-service.ts';",
      'tab → API contract, domain',
    ],
    [
      'teams-app/src/views/admin/policy-editor.tsx',
      "import type { x } from '../../../../src/api/routes.ts';",
      'tab → API contract, domain',
    ],
    [
      'teams-app/src/api/api-types.ts',
      "import type { x } from '../../../src/importer/import-report.ts';",
      'tab → API contract, domain',
    ],
  ])('%s: %s', async (file, code, rule) => {
    const messages = await messagesFor(file, `${code}\nexport const y = x;\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`Layer rule "${rule}"`);
  });

  it('the tab imports the API contract and domain types, and its own folders of the same names', async () => {
    for (const code of [
      "import type { x } from '../../../src/api/contract/responses.ts';",
      "import type { x } from '../../../src/domain/policy.ts';",
      "import type { x } from '../../api/api-types.ts';",
      "import type { x } from '../config/tab-config.ts';",
    ]) {
      expect(
        await messagesFor('teams-app/src/views/admin/x.tsx', `${code}\nexport type y = x;\n`),
        code,
      ).toEqual([]);
    }
  });

  it('the domain imports only itself, zod and node:crypto', async () => {
    const messages = await messagesFor(
      'src/domain/status.ts',
      "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n",
    );
    expect(messages).toEqual([expect.stringContaining('src/domain is pure')]);
  });

  it('a domain subfolder may reach the rest of the domain, never out of it', async () => {
    const inside = "import { x } from '../canonical-json.ts';\nexport const y = x;\n";
    expect(await messagesFor('src/domain/evidence/shard.ts', inside)).toEqual([]);
    const outside = "import { x } from '../../ports/clock.ts';\nexport const y = x;\n";
    expect(await messagesFor('src/domain/evidence/shard.ts', outside)).toEqual([
      expect.stringContaining('src/domain is pure'),
    ]);
    expect(
      await messagesFor(
        'src/domain/status.ts',
        "import { x } from '../ports/clock.ts';\nexport const y = x;\n",
      ),
    ).toEqual([expect.stringContaining('src/domain is pure')]);
  });

  it('only the gateway imports the Graph client', async () => {
    const code =
      "import { Client } from '@microsoft/microsoft-graph-client';\nexport const y = Client;\n";
    expect(await messagesFor('src/adapters/graph/provision.ts', code)).toEqual([
      expect.stringContaining('one Graph gateway'),
    ]);
    expect(await messagesFor('src/adapters/graph/graph-gateway.ts', code)).toEqual([]);
  });

  it('a good import passes', async () => {
    expect(
      await messagesFor(
        'src/services/read-cache.ts',
        "import { x } from '../ports/clock.ts';\nexport const y = x;\n",
      ),
    ).toEqual([]);
  });
});
