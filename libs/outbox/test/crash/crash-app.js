// The application the crash tests start as a child process and SIGKILL (libs/outbox/test/crash.int-spec.ts).
// Plain CommonJS on the built packages (node_modules/@databus/* → dist), decorators applied with Reflect.
// Environment:
//   CRASH_URL, CRASH_SCHEMA, CRASH_NATS, CRASH_DATASET, CRASH_GROUP  where it works
//   CRASH_WRITE=<order id>   on start, write an order row and its outbox message in one transaction
//   CRASH_CONSUME=1          run the idempotent handler that applies each order to the `effects` table
//   CRASH_HANG=before-publish | after-ack | after-commit   where to stop (forever) so the parent can SIGKILL
// It prints one line per step (`ready`, `committed`, `publishing`, `acked`, `handled <id>`, `duplicate <id>`).
require('reflect-metadata');
const { Controller, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { ChannelService, OnDatasetMessage, Offset, StreamingModule } = require('@databus/streaming');
const {
  OutboxModule,
  OutboxService,
  PostgresIdempotencyStore,
  currentInboxTransaction,
} = require('@databus/outbox');

const env = process.env;
const schema = env.CRASH_SCHEMA;
const hang = env.CRASH_HANG ?? '';
const say = (line) => process.stdout.write(`${line}\n`);
const forever = () => new Promise(() => undefined);

// The crash points: the real code runs up to the point, then this process stops making progress.
const produceMany = ChannelService.prototype.produceMany;
ChannelService.prototype.produceMany = async function (...args) {
  if (hang === 'before-publish') {
    say('publishing');
    return forever();
  }
  const result = await produceMany.apply(this, args);
  if (hang === 'after-ack') {
    say('acked');
    return forever();
  }
  return result;
};
const run = PostgresIdempotencyStore.prototype.run;
PostgresIdempotencyStore.prototype.run = async function (delivery, handler) {
  const outcome = await run.call(this, delivery, handler);
  say(`${outcome.duplicate ? 'duplicate' : 'handled'} ${delivery.messageId}`);
  if (hang === 'after-commit' && !outcome.duplicate) return forever();
  return outcome;
};

class Orders {
  async onOrder(order) {
    const tx = currentInboxTransaction();
    await tx.query(`INSERT INTO "${schema}".effects (order_id) VALUES ($1)`, [order.id]);
  }
}
const handlers = env.CRASH_CONSUME === '1' ? [Orders] : [];
if (handlers.length) {
  const key = 'onOrder';
  const descriptor = Object.getOwnPropertyDescriptor(Orders.prototype, key);
  const decorators = [
    OnDatasetMessage(env.CRASH_DATASET, {
      group: env.CRASH_GROUP,
      offset: Offset.BEGIN,
      idempotent: true,
    }),
  ];
  Object.defineProperty(
    Orders.prototype,
    key,
    Reflect.decorate(decorators, Orders.prototype, key, descriptor),
  );
  Reflect.decorate([Controller()], Orders);
}

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        StreamingModule.forRoot({
          url: env.CRASH_NATS,
          transportOptions: { ackWaitMs: 1000 },
          logger: false,
        }),
        OutboxModule.forRoot({
          connectionString: env.CRASH_URL,
          schema,
          relay: { pollIntervalMs: 200 },
          logger: false,
        }),
      ],
      controllers: handlers,
    }),
  ],
  AppModule,
);

async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  app.enableShutdownHooks();
  say('ready');
  if (env.CRASH_WRITE) {
    const outbox = app.get(OutboxService);
    const { Client } = require('pg');
    const client = new Client({ connectionString: env.CRASH_URL });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".orders (id) VALUES ($1)`, [env.CRASH_WRITE]);
    await outbox.produce(client, env.CRASH_DATASET, { id: env.CRASH_WRITE }, { key: env.CRASH_WRITE });
    await client.query('COMMIT');
    await client.end();
    say('committed');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
