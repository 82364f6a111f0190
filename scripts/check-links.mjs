// Checks that every relative link in the repository's Markdown files (README.md, docs/, each package's README
// and docs/, the generated API reference under docs/api) points at a file or folder that exists.
// Part of `npm run lint`. Exit code 1 and one line per broken link when one does not.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokenLinks } from './lib/markdown-links.mjs';
import { root as repoRoot } from './lib/pack.mjs';

// CHECK_LINKS_ROOT: another tree to check (the tests use it).
const root = process.env.CHECK_LINKS_ROOT ?? repoRoot;

const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean)
  .filter((file) => existsSync(join(root, file)));
const broken = tracked.flatMap((file) =>
  brokenLinks(file, readFileSync(join(root, file), 'utf8'), (path) => existsSync(join(root, path))),
);
if (broken.length) {
  console.error(`check-links: ${broken.length} broken relative link(s) in Markdown:`);
  for (const line of broken) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`check-links: every relative link of ${tracked.length} Markdown files resolves`);
