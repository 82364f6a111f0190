// Packaging facts a user relies on: one Node floor everywhere (engines, README, Dockerfile), every published lib
// builds on `prepack` and packs its docs, and scripts/check-links.mjs finds broken Markdown links.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const manifest = (dir: string): { [key: string]: any } => JSON.parse(read(join(dir, 'package.json')));
const FLOOR = '>=22.12';
const workspaces: string[] = manifest('.').workspaces;
const published = workspaces.filter((dir) => !manifest(dir).private);

describe('supported Node versions', () => {
  it.each(['.', ...workspaces])('%s declares engines.node %s', (dir) => {
    expect(manifest(dir).engines).toEqual({ node: FLOOR });
  });

  it('the README states the same floor', () => {
    expect(read('README.md')).toContain('**Node.js 22.12 or later**');
    expect(read('apps/demo/README.md')).toContain('Node.js 22.12 or later');
  });

  it('the demo image runs a Node line at or above the floor', () => {
    const majors = [...read('apps/demo/Dockerfile').matchAll(/^FROM node:(\d+)/gm)].map((m) => Number(m[1]));
    expect(majors).toHaveLength(2);
    for (const major of majors) expect(major).toBeGreaterThanOrEqual(22);
  });
});

describe('published packages', () => {
  it('are the five libs', () => {
    expect(published).toEqual(['libs/common', 'libs/auth', 'libs/streaming', 'libs/queue', 'libs/realtime']);
  });

  it.each(published)('%s builds itself on prepack and packs dist and its README', (dir) => {
    const pkg = manifest(dir);
    expect(pkg.scripts.prepack).toBe(`node ../../scripts/build.mjs ${dir}`);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
  });

  it('streaming packs the transport guides its README links to', () => {
    expect(manifest('libs/streaming').files).toContain('docs');
    for (const transport of ['kafka', 'amqp', 'mqtt', 'nats'])
      expect(read('libs/streaming/README.md')).toContain(`](docs/${transport}.md)`);
  });
});

describe('scripts/check-links.mjs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'databus-links-'));
    spawnSync('git', ['init', '-q'], { cwd: dir });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function check(files: Record<string, string>): { status: number | null; output: string } {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'check-links.mjs')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CHECK_LINKS_ROOT: dir },
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  it('accepts links to files and folders that exist, URLs, anchors and code', () => {
    const result = check({
      'README.md': '[a](docs/a.md) [dir](docs) [web](https://example.com) [top](#top) `[x](missing.md)`\n',
      'docs/a.md': '![img](../README.md#top)\n```\n[y](nowhere.md)\n```\n',
    });
    expect(result).toEqual({
      status: 0,
      output: 'check-links: every relative link of 2 Markdown files resolves\n',
    });
  });

  it('names each broken link with its file', () => {
    const result = check({
      'README.md': '[a](docs/missing.md)\n',
      'libs/x/README.md': '[up](../../../out.md)\n',
    });
    expect(result.status).toBe(1);
    expect(result.output).toBe(
      'check-links: 2 broken relative link(s) in Markdown:\n' +
        '  README.md: docs/missing.md\n' +
        '  libs/x/README.md: ../../../out.md\n',
    );
  });
});
