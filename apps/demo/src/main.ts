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
  // Nest has already logged the details of a failed module; this line says what to do.
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = error instanceof Error ? error.message : String(error);
  console.error(
    code === 'EADDRINUSE'
      ? `The sensor hub cannot listen: ${text}. Another program uses the port; start it with PORT=<free port>.`
      : `The sensor hub did not start: ${text}`,
  );
  process.exit(1);
});
