import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { redactUrl } from '@databus/common';
import { startDemo } from './bootstrap';

/** `npm run demo`: the sensor hub in one process (memory:// by default; brokers from STREAMING_URL / QUEUE_URL). */
async function main(): Promise<void> {
  const demo = await startDemo();
  const { config } = demo;
  const logger = new Logger('SensorHub');
  logger.log(`Sensor hub on ${demo.url}  (page: ${demo.url}/, API: ${demo.url}/api/sensors)`);
  logger.log(`Streaming ${redactUrl(config.streamingUrl)} · queue ${redactUrl(config.queueUrl)}`);
  logger.log(`Try: npm run demo:client -- ${config.simulator.sensors[0] ?? '<sensor>'}`);
}

main().catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    console.error(`${(error as Error).message}: another program uses the port; start with PORT=<free port>`);
    process.exit(1);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
