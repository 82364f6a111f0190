import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's chromium, driven by playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless run in a container. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Installs Debian's `chromium` when it is missing (`apt-get install -y chromium`, serialised with the other
 * users of apt on this machine by `flock /tmp/databus-apt.lock`).
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const install = 'apt-get install -y chromium || (apt-get update && apt-get install -y chromium)';
  execFileSync('flock', ['/tmp/databus-apt.lock', 'sh', '-c', install], {
    stdio: 'pipe',
    timeout: 10 * 60_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`chromium is still missing at ${CHROMIUM_PATH} after apt-get install`);
}
