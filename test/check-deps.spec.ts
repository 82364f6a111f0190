// scripts/check-deps.mjs (run by `npm run lint`) against small throwaway workspaces.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const script = join(__dirname, '..', 'scripts', 'check-deps.mjs');

interface Pkg {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** A workspace whose lock file matches its packages unless `lock` says otherwise. */
function workspace(
  packages: Record<string, Pkg>,
  sources: Record<string, string> = {},
  lock?: object,
): string {
  const root = mkdtempSync(join(tmpdir(), 'databus-check-deps-'));
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  write(
    'package.json',
    JSON.stringify({ name: 'fixture', private: true, workspaces: Object.keys(packages) }),
  );
  for (const [dir, pkg] of Object.entries(packages)) write(`${dir}/package.json`, JSON.stringify(pkg));
  for (const [file, text] of Object.entries(sources)) write(file, text);
  write('package-lock.json', JSON.stringify(lock ?? { lockfileVersion: 3, packages: { ...packages } }));
  return root;
}

function check(root: string): { code: number | null; output: string } {
  const result = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
  rmSync(root, { recursive: true, force: true });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const common: Pkg = { name: '@databus/common', version: '0.1.0' };
const auth: Pkg = { name: '@databus/auth', version: '0.1.0', dependencies: { '@databus/common': '0.1.0' } };
const streaming: Pkg = {
  name: '@databus/streaming',
  version: '0.1.0',
  dependencies: { '@databus/common': '0.1.0', '@databus/auth': '0.1.0' },
  peerDependencies: { '@nestjs/common': '^11 || ^12', kafkajs: '^2' },
};

describe('scripts/check-deps.mjs', () => {
  it('accepts a workspace that follows common ← auth ← streaming ← apps', () => {
    const result = check(
      workspace(
        {
          'libs/common': common,
          'libs/auth': auth,
          'libs/streaming': streaming,
          'apps/demo': {
            name: 'demo',
            version: '0.0.0',
            private: true,
            dependencies: { '@databus/streaming': '*' },
          },
        },
        {
          'libs/streaming/src/index.ts': [
            "import { Injectable } from '@nestjs/common';",
            "import { readFileSync } from 'node:fs';",
            "import type { Kafka } from 'kafkajs';",
            "import type { Other } from 'undeclared-but-type-only';",
            "export * from './local';",
            "const lazy = () => require('kafkajs');",
            '// a comment that mentions require("not-a-dependency")',
            'export const message = (queue: string) => `from "${queue}"`;',
          ].join('\n'),
        },
      ),
    );
    expect(result.output).toContain('OK');
    expect(result.code).toBe(0);
  });

  it('rejects a dependency against the direction', () => {
    const result = check(
      workspace({
        'libs/common': common,
        'libs/auth': { ...auth, dependencies: { '@databus/common': '0.1.0', '@databus/streaming': '0.1.0' } },
        'libs/streaming': streaming,
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'libs/auth/package.json: dependencies "@databus/streaming" breaks the direction',
    );
  });

  it('rejects a sibling dependency that is not the exact current version', () => {
    const result = check(
      workspace({
        'libs/common': common,
        'libs/auth': { ...auth, dependencies: { '@databus/common': '^0.1.0' } },
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain('should be the exact version "0.1.0"');
  });

  it('rejects a run-time import the package.json does not declare', () => {
    const result = check(
      workspace(
        { 'libs/common': common, 'libs/auth': auth },
        { 'libs/auth/src/http.ts': "import {\n  Agent,\n} from 'undici';\nexport { Agent };" },
      ),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain('libs/auth/src/http.ts: imports "undici"');
  });

  it('rejects an import of a lib further up the direction', () => {
    const result = check(
      workspace(
        { 'libs/common': common, 'libs/auth': auth, 'libs/streaming': streaming },
        { 'libs/common/src/index.ts': "export { ChannelService } from '@databus/streaming';" },
      ),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain('imports "@databus/streaming" against the dependency direction');
  });

  it('rejects a package-lock.json that does not match a workspace package.json', () => {
    const result = check(
      workspace({ 'libs/common': common, 'libs/auth': auth }, {}, { packages: { 'libs/common': common } }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain('package-lock.json has no entry for libs/auth');
  });

  it('rejects an import cycle, even one made of type imports', () => {
    const result = check(
      workspace(
        { 'libs/common': common },
        {
          'libs/common/src/a.ts': "import type { B } from './b';\nexport interface A { b?: B }",
          'libs/common/src/b.ts': "import type { A } from './a';\nexport interface B { a?: A }",
          'libs/common/src/index.ts': "export * from './a';",
        },
      ),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain('import cycle: libs/common/src/a.ts → libs/common/src/b.ts');
  });

  it('rejects an import that runs up a layer inside streaming, and a folder in no layer', () => {
    const result = check(
      workspace(
        { 'libs/common': common, 'libs/auth': auth, 'libs/streaming': streaming },
        {
          'libs/streaming/src/transports/memory/index.ts': 'export const memory = 1;',
          'libs/streaming/src/transport/registry.ts':
            "export const load = () => import('../transports/memory');",
          'libs/streaming/src/misc/helper.ts': 'export const helper = 1;',
        },
      ),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'libs/streaming/src/transport/registry.ts: imports libs/streaming/src/transports/memory/index.ts, which is up a layer (transport is below transports)',
    );
    expect(result.output).toContain('src/misc is in no layer');
  });
});
