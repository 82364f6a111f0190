import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import * as amqplib from 'amqplib';
import type { Channel, ChannelModel } from 'amqplib';

const run = promisify(execFile);

/** Only one test in the repo restarts RabbitMQ at a time: every lib's RabbitMQ restarts take this lock. */
export const RABBIT_RESTART_LOCK = '/tmp/databus-rabbitmq-restart.lock';

/** Holds an exclusive flock on `path` through a `flock` child until `release()` is called. */
async function acquireLock(path: string): Promise<{ release: () => Promise<void> }> {
  const child = spawn('flock', [path, 'sh', '-c', 'echo locked; read _'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`flock exited with ${code}`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end('\n');
      }),
  };
}

/**
 * Stops the RabbitMQ application (`rabbitmqctl stop_app`), runs `whileDown`, and starts it again in a
 * `finally` (then waits for startup), all under the shared restart lock. RabbitMQ is always left running.
 */
export async function withRabbitStopped(whileDown: () => Promise<void>): Promise<void> {
  const lock = await acquireLock(RABBIT_RESTART_LOCK);
  try {
    await run('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
    try {
      await whileDown();
    } finally {
      await startRabbit();
    }
  } finally {
    await lock.release();
  }
}

async function startRabbit(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run('rabbitmqctl', ['start_app'], { timeout: 120_000 });
      await run('rabbitmqctl', ['await_startup'], { timeout: 120_000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** A raw amqplib connection for tests: inspect queues, take messages, delete what a test declared. */
export class RabbitAdmin {
  private connection?: ChannelModel;

  constructor(private readonly url: string) {}

  async withChannel<T>(use: (channel: Channel) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async messageCount(queue: string): Promise<number> {
    return this.withChannel(async (ch) => (await ch.checkQueue(queue)).messageCount).catch(() => 0);
  }

  async consumerCount(queue: string): Promise<number> {
    return this.withChannel(async (ch) => (await ch.checkQueue(queue)).consumerCount).catch(() => 0);
  }

  async deleteQueues(names: string[]): Promise<void> {
    for (const name of names) {
      await this.withChannel((ch) => ch.deleteQueue(name)).catch(() => undefined);
      await this.withChannel((ch) => ch.deleteExchange(name)).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  private async connect(): Promise<ChannelModel> {
    if (this.connection) return this.connection;
    const connection = await amqplib.connect(this.url);
    connection.on('error', () => undefined);
    connection.on('close', () => {
      if (this.connection === connection) this.connection = undefined;
    });
    this.connection = connection;
    return connection;
  }
}
