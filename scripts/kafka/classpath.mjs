// Resolves the classpath of Apache Kafka's broker and tools with Maven (scripts/kafka/pom.xml, dependency
// plugin) and caches it in the state folder; the jars themselves stay in the Maven local repository (~/.m2).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { paths, stateDir } from './layout.mjs';

/** The classpath, resolving it first when the pom changed or a cached jar is gone. */
export function kafkaClasspath() {
  const key = createHash('sha256').update(readFileSync(paths.pom)).digest('hex');
  if (existsSync(paths.classpath) && existsSync(paths.classpathKey)) {
    const cached = readFileSync(paths.classpath, 'utf8').trim();
    const fresh = readFileSync(paths.classpathKey, 'utf8').trim() === key;
    if (fresh && cached.split(delimiter).every((jar) => existsSync(jar))) return cached;
  }
  mkdirSync(stateDir, { recursive: true });
  console.log('kafka: resolving the broker classpath with Maven (first run downloads ~100 MB into ~/.m2)');
  const mvn = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      paths.pom,
      'dependency:build-classpath',
      `-Dmdep.outputFile=${paths.classpath}`,
      '-Dmdep.includeScope=runtime',
    ],
    { stdio: 'inherit' },
  );
  if (mvn.error) throw new Error(`kafka: cannot run mvn (${mvn.error.message}); install Maven 3.8+`);
  if (mvn.status !== 0) throw new Error(`kafka: mvn dependency:build-classpath failed (exit ${mvn.status})`);
  writeFileSync(paths.classpathKey, `${key}\n`);
  return readFileSync(paths.classpath, 'utf8').trim();
}

/** The Kafka version the pom pins. */
export function kafkaVersion() {
  return /<kafka\.version>([^<]+)</.exec(readFileSync(paths.pom, 'utf8'))?.[1] ?? 'unknown';
}
