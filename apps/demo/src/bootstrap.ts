import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { DEMO_CONFIG } from './config/demo.config';
import { DemoConfig } from './config/demo-config.interface';
import { SensorSimulator } from './sensors/sensor-simulator';

/** Options of `startDemo`. */
export interface StartDemoOptions {
  /** Values that win over the environment and `.env`. */
  env?: Record<string, string>;
  /** Do not read `.env`. @default false */
  ignoreEnvFile?: boolean;
  /** The env file to read. @default `.env` in the current directory */
  envFilePath?: string;
  /** Nest logger, log levels, or `false` for silence. @default Nest's logger */
  logger?: LoggerService | LogLevel[] | false;
  /** Close the app on SIGTERM / SIGINT (in-flight work finishes first). @default true */
  shutdownHooks?: boolean;
}

/** A running sensor hub. */
export interface RunningDemo {
  app: INestApplication;
  config: DemoConfig;
  /** Where the API and the page answer, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Graceful close: stop the simulator, drain handlers and tasks, close connections. */
  close(): Promise<void>;
}

/**
 * Creates and starts the sensor hub. `PORT=0` picks a free port first, because the stats worker needs the
 * API's own URL (`API_BASE_URL`) when the app is assembled, before it listens.
 */
export async function startDemo(options: StartDemoOptions = {}): Promise<RunningDemo> {
  const env: Record<string, string> = { ...(options.env ?? {}) };
  const module = AppModule.forRoot({
    env,
    ignoreEnvFile: options.ignoreEnvFile,
    envFilePath: options.envFilePath,
  });
  const requestedPort = env.PORT ?? process.env.PORT;
  if (requestedPort !== undefined && Number(requestedPort) === 0)
    env.PORT = String(await freePort(env.HOST ?? process.env.HOST ?? '127.0.0.1'));
  // Shutdown order (Nest): stop the simulator, drain the dataset handlers and the task worker (whose PUTs
  // still reach this server), end the event streams; only then close the HTTP server, dropping the
  // connections left (idle keep-alive and pre-opened sockets would otherwise hold it open for seconds).
  const app = await NestFactory.create(module, {
    logger: options.logger,
    abortOnError: false,
    forceCloseConnections: true,
  });
  if (options.shutdownHooks ?? true) app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  const config = app.get<DemoConfig>(DEMO_CONFIG);
  await app.listen(config.port, config.host);
  const simulator = app.get(SensorSimulator);
  if (config.simulator.enabled) simulator.start();
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = ['0.0.0.0', '[::]'].includes(host)
    ? `http://127.0.0.1:${address.port}`
    : `http://${host}:${address.port}`;
  return { app, config, url, close: () => app.close() };
}

/** A port that is free on `host` right now. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
