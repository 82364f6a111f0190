import { requestStats, StatsRequestError } from './stats-client';

const USAGE = `usage: npm run demo:client -- <sensor> [--recompute] [--url http://127.0.0.1:3000] [--timeout 30000]
  Requests the sensor's stats; on 202 waits for the notification and prints them.
  The URL defaults to $DEMO_URL, else http://127.0.0.1:$PORT (PORT defaults to 3000).`;

/** `npm run demo:client -- <sensor>`: the course's command-line client. */
async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let sensor: string | undefined;
  let recompute = false;
  let baseUrl = process.env.DEMO_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  let timeoutMs = 30_000;
  while (args.length) {
    const arg = args.shift() as string;
    if (arg === '--recompute') recompute = true;
    else if (arg === '--url') baseUrl = args.shift() ?? baseUrl;
    else if (arg === '--timeout') timeoutMs = Number(args.shift());
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      return 0;
    } else if (!arg.startsWith('-') && !sensor) sensor = arg;
    else {
      console.error(`unknown argument ${arg}\n${USAGE}`);
      return 2;
    }
  }
  if (!sensor || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    console.error(USAGE);
    return 2;
  }
  try {
    const outcome = await requestStats({
      baseUrl: baseUrl.replace(/\/+$/, ''),
      sensor,
      recompute,
      timeoutMs,
      log: (m) => console.log(m),
    });
    console.log(JSON.stringify(outcome.stats, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof StatsRequestError) console.error(error.message);
    else if (error instanceof TypeError && /fetch failed/.test(error.message))
      console.error(`Cannot reach the sensor hub at ${baseUrl}: is \`npm run demo\` running?`);
    else console.error(error instanceof Error ? error.message : error);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
