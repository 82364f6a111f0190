#!/usr/bin/env node
/**
 * `npx databus-outbox migrate --url postgres://user@host/db [--schema name]`: creates or upgrades the outbox
 * and inbox tables. The URL may come from `DATABASE_URL` instead. The password is never printed.
 */
import { errorMessage } from '@databus/common/internal';
import { Client } from 'pg';
import { migrateOutbox } from '../schema/migrate';

const USAGE = 'usage: databus-outbox migrate [--url postgres://…] [--schema public]   (or DATABASE_URL)';

/** Parses the arguments and runs the command; resolves with the process exit code. */
// eslint-disable-next-line no-console -- a command line tool prints its result on stdout
export async function main(argv: string[], env: NodeJS.ProcessEnv, print = console.log): Promise<number> {
  const [command, ...rest] = argv;
  const flag = (name: string): string | undefined => {
    const i = rest.indexOf(`--${name}`);
    if (i >= 0) return rest[i + 1];
    return rest.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  if (command !== 'migrate') {
    print(USAGE);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const url = flag('url') ?? env.DATABASE_URL;
  if (!url) {
    print(`databus-outbox: no --url and no DATABASE_URL\n${USAGE}`);
    return 2;
  }
  const schema = flag('schema') ?? 'public';
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    const applied = await migrateOutbox(client, schema);
    print(
      applied.length
        ? `databus-outbox: schema "${schema}" migrated to version ${applied[applied.length - 1]} (applied ${applied.join(', ')})`
        : `databus-outbox: schema "${schema}" is up to date`,
    );
    return 0;
  } catch (error) {
    print(`databus-outbox: migrate failed: ${errorMessage(error)}`);
    return 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

if (require.main === module)
  void main(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
