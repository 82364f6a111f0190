// `npm run pack`: packs the publishable libs into one folder (default `tarballs/`), ready for
// `npm install ./tarballs/databus-common-0.1.0.tgz ./tarballs/databus-streaming-0.1.0.tgz …` in another app
// until the packages are published. Each lib builds itself on `prepack` (incremental: unchanged libs are not
// compiled again). Options: --out=DIR (another folder), --only=common,streaming (just these libs).
import { resolve } from 'node:path';
import { packLib, publishableLibs, root } from './lib/pack.mjs';

const option = (name) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? undefined;
const destination = resolve(root, option('out') ?? 'tarballs');
const only = option('only')?.split(',');

for (const lib of publishableLibs(only)) {
  const { file, files, size } = packLib(lib, destination);
  const dist = files.filter((f) => f.startsWith('dist/')).length;
  console.log(`${file}  (${files.length} files, ${dist} in dist/, ${(size / 1024).toFixed(1)} KiB)`);
}
