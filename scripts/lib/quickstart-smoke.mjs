// The README quickstart, as a new user meets it: its TypeScript blocks pasted into one file of an app outside
// the workspace, installed from the tarballs with the README's own `npm install` line (no overrides), compiled
// with `tsc` and run. It must print what the README says: `replay()` returns the first readings up to the one
// over 100, the same ones on a second call (a private subscription), and the handler logs each reading once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './pack.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The ```ts blocks of the README's "Quickstart" section, merged into one compilable file. */
export function quickstartSource(readme = readFileSync(join(root, 'README.md'), 'utf8')) {
  const start = readme.indexOf('\n## Quickstart');
  if (start < 0) throw new Error('README.md has no "## Quickstart" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (blocks.length < 3)
    throw new Error(`the README quickstart has ${blocks.length} TypeScript blocks, not 3 or more`);
  const named = new Map();
  const bare = new Set();
  const bodies = blocks.map((block) =>
    block.replace(/^import\s+(?:\{([^}]*)\}\s+from\s+)?'([^']+)';\n/gm, (_, names, from) => {
      if (names === undefined) bare.add(from);
      else
        for (const n of names
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean))
          named.set(from, new Set([...(named.get(from) ?? []), n]));
      return '';
    }),
  );
  // Decorators run when a class is defined: the @Module block (which names the providers) goes after them,
  // and the block that runs the app goes last.
  const rank = (body) => (/NestFactory/.test(body) ? 2 : /@Module\(/.test(body) ? 1 : 0);
  bodies.sort((a, b) => rank(a) - rank(b));
  const imports = [
    ...[...bare].map((from) => `import '${from}';`),
    ...[...named].map(([from, names]) => `import { ${[...names].join(', ')} } from '${from}';`),
  ];
  return `${imports.join('\n')}\n${bodies.join('\n')}`;
}

/**
 * Installs the quickstart app in `dir` from `tarballs` (common and streaming), compiles and runs it, and checks
 * its output. Throws with the output when anything differs from what the README says.
 */
export function runQuickstart(dir, tarballs, log, nodes = [process.execPath]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'quickstart', private: true }, null, 2));
  const files = ['@databus/common', '@databus/streaming'].map((name) => {
    const t = tarballs.find((x) => x.name === name);
    if (!t) throw new Error(`quickstart: no tarball for ${name}`);
    return t.file;
  });
  const t0 = Date.now();
  // The README's line, with the tarballs in place of the registry names; TypeScript to compile it.
  sh(
    npm,
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...files,
      '@nestjs/common',
      '@nestjs/core',
      'reflect-metadata',
      'rxjs',
      'typescript@5',
      '@types/node@22',
    ],
    dir,
  );
  log(`quickstart: installed from the tarballs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'main.ts'), quickstartSource());
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node',
          strict: true,
          outDir: 'dist',
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  sh(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
  for (const node of nodes) checkRun(dir, node, log);
}

/** Runs the compiled quickstart with `node` and checks what it printed. */
function checkRun(dir, node, log) {
  const t1 = Date.now();
  const version = sh(node, ['--version'], dir).trim();
  const out = sh(node, ['dist/main.js'], dir, 60_000);
  const lines = out.split('\n');
  const replays = lines.filter((l) => l.startsWith('replayed '));
  const expected = 'replayed [{"sensor":"greenhouse-1","value":21.5},{"sensor":"greenhouse-1","value":130}]';
  if (replays.length !== 2 || replays.some((l) => l !== expected))
    throw new Error(
      `quickstart on Node ${version}: replay() printed\n  ${replays.join('\n  ')}\nwhere the README promises twice\n  ${expected}\n${out}`,
    );
  const handled = lines.filter((l) => l.includes(' at sequence '));
  const allowed = [
    'greenhouse-1 21.5 at sequence 1',
    'greenhouse-1 130 at sequence 2',
    'cold-room 4 at sequence 3',
  ];
  const wrong = handled.filter((l, i) => !allowed.includes(l) || handled.indexOf(l) !== i);
  if (wrong.length)
    throw new Error(`quickstart on Node ${version}: the handler logged ${wrong.join(' / ')}\n${out}`);
  log(
    `quickstart on Node ${version}: ran in ${((Date.now() - t1) / 1000).toFixed(1)} s; replay() twice gave the two readings, the handler logged ${handled.length} of 3`,
  );
}

function sh(command, args, cwd, timeout = 300_000) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: quickstartEnv(),
  });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed (${result.status ?? result.error?.message}):\n${result.stdout}${result.stderr}`,
    );
  return result.stdout;
}

/** The environment of the quickstart app: no STREAMING_URL, so it runs on memory:// as the README says. */
function quickstartEnv() {
  const env = { ...process.env, NODE_OPTIONS: '' };
  delete env.STREAMING_URL;
  return env;
}
