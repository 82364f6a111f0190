import {
  ConfigurationError,
  ConsumerError,
  PermanentError,
  RequestTimeoutError,
  TemporaryError,
} from '@databus/common';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { NoCommittedPositionError, SubscriptionClosedError } from '../../errors';
import { Offset } from '../../offset/offset';
import { TransportStatus } from '../../transport/transport-status';
import { parseDatasetPattern } from '../../transport/dataset-pattern';
import { KafkaReplyHeaders } from './kafka-wire';
import { KafkaTransport } from './kafka.transport';
import { FakeKafka } from './testing/fake-kafka.driver';
import { fakeTransport, json, settle, spec, testContext } from './testing/fake-kafka.helpers';

describe('KafkaTransport', () => {
  describe('wire format', () => {
    it('produces the body as is, the key as the Kafka key and headers as Kafka headers', async () => {
      const { fake, transport } = await fakeTransport();
      const results = await transport.produce('readings', [json({ v: 1 }, 'sensor-a'), json({ v: 2 })]);
      expect(results).toEqual([
        { partition: 0, sequence: 0 },
        { partition: 0, sequence: 1 },
      ]);
      const [first] = fake.log('readings')[0];
      expect(first.key?.toString()).toBe('sensor-a');
      expect(first.value.toString()).toBe('{"v":1}');
      expect(first.headers).toEqual({ 'content-type': 'application/json' });
      await transport.close();
    });

    it('delivers sequence = offset, partition, key, headers, timestamp; reply headers become fields', async () => {
      const { fake, transport } = await fakeTransport();
      await fake.produce('readings', [
        {
          key: 'k',
          value: Buffer.from('{"a":1}'),
          headers: {
            'content-type': 'application/json',
            trace: 't1',
            [KafkaReplyHeaders.REPLY_TO]: 'client.replies',
            [KafkaReplyHeaders.CORRELATION_ID]: 'c-1',
          },
        },
      ]);
      const sub = await transport.subscribe(spec());
      const [record] = await sub.fetch(1, 200);
      expect(record).toMatchObject({
        dataset: 'readings',
        key: 'k',
        sequence: 0,
        partition: 0,
        redelivered: false,
        replyTo: 'client.replies',
        correlationId: 'c-1',
        headers: { 'content-type': 'application/json', trace: 't1' },
      });
      expect(record.timestamp).toEqual(new Date(fake.log('readings')[0][0].timestamp));
      expect(record.data.toString()).toBe('{"a":1}');
      await transport.close();
    });
  });

  describe('start positions', () => {
    async function withHistory(partitions = 1) {
      const env = await fakeTransport({ partitions });
      let time = Date.now() - 60_000;
      env.fake.clock = () => (time += 10);
      for (let i = 0; i < 5; i++) await env.transport.produce('readings', [json(i)]);
      return env;
    }
    const firstSequence = async (sub: Awaited<ReturnType<KafkaTransport['subscribe']>>) =>
      (await sub.fetch(1, 200))[0]?.sequence;

    it('BEGIN reads the history; a new group commits its start at the first assignment', async () => {
      const { fake, transport } = await withHistory();
      const sub = await transport.subscribe(spec({ group: 'g', start: Offset.BEGIN }));
      expect(await firstSequence(sub)).toBe(0);
      expect(fake.commitsOf('g', 'readings')).toEqual({ 0: 0 });
      expect(fake.consumers[0].settings).toMatchObject({
        groupId: 'g',
        topic: 'readings',
        fromBeginning: true,
      });
      await transport.close();
    });

    it('a private BEGIN asks for no offsets before the join: the fresh group starts at the oldest record', async () => {
      const { fake, transport } = await withHistory();
      const ranges = jest.spyOn(fake, 'partitionRanges');
      const sub = await transport.subscribe(spec({ start: Offset.BEGIN }));
      expect(ranges).not.toHaveBeenCalled();
      expect(fake.consumers[0].settings.fromBeginning).toBe(true);
      expect(fake.consumers[0].seeks).toEqual([]);
      expect((await sub.fetch(5, 200)).map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4]);
      await transport.close();
    });

    it('LATEST only reads what is produced after subscribe (resolved before the join, no race)', async () => {
      const { fake, transport } = await withHistory();
      const sub = await transport.subscribe(spec({ group: 'g', start: Offset.LATEST }));
      expect(fake.commitsOf('g', 'readings')).toEqual({ 0: 5 });
      expect(fake.consumers[0].settings.fromBeginning).toBe(false);
      await transport.produce('readings', [json('new')]);
      expect(await firstSequence(sub)).toBe(5);
      await transport.close();
    });

    it('sequence(n) starts at offset n in every partition, clamped to what is stored', async () => {
      const { transport } = await withHistory();
      expect(await firstSequence(await transport.subscribe(spec({ start: Offset.sequence(3) })))).toBe(3);
      const beyond = await transport.subscribe(spec({ start: Offset.sequence(99) }));
      expect(await beyond.fetch(1, 20)).toEqual([]);
      await transport.close();
    });

    it('time(t) starts at the first record at or after t (admin offsets by timestamp)', async () => {
      const { fake, transport } = await withHistory();
      const third = fake.log('readings')[0][2].timestamp;
      expect(await firstSequence(await transport.subscribe(spec({ start: Offset.time(third) })))).toBe(2);
      await transport.close();
    });

    it('a group with committed offsets resumes there, whatever the start says', async () => {
      const { fake, transport } = await withHistory();
      fake.commitFor('g', 'readings', [{ partition: 0, offset: 4 }]);
      const sub = await transport.subscribe(spec({ group: 'g', start: Offset.BEGIN }));
      expect(await firstSequence(sub)).toBe(4);
      expect(fake.consumers[0].seeks).toEqual([]);
      await transport.close();
    });

    it('NONE fails with NoCommittedPositionError when the group has no committed offset, resumes otherwise', async () => {
      const { fake, transport } = await withHistory();
      await expect(transport.subscribe(spec({ group: 'g', start: Offset.NONE }))).rejects.toBeInstanceOf(
        NoCommittedPositionError,
      );
      await expect(transport.subscribe(spec({ start: Offset.NONE }))).rejects.toBeInstanceOf(
        NoCommittedPositionError,
      );
      expect(fake.consumers).toHaveLength(0);
      fake.commitFor('g', 'readings', [{ partition: 0, offset: 2 }]);
      const sub = await transport.subscribe(spec({ group: 'g', start: Offset.NONE }));
      expect(await firstSequence(sub)).toBe(2);
      await transport.close();
    });

    it('passes consumer tuning and a channel consumerConfig to the driver, and rejects unknown keys', async () => {
      const { fake, transport } = await fakeTransport({
        context: { transportOptions: { consumer: { maxWaitTimeMs: 50 }, joinTimeoutMs: 1234 } },
      });
      await transport.subscribe(
        spec({
          consumerConfig: { sessionTimeoutMs: 20_000, requestTimeoutMs: 40_000, heartbeatInterval: 2000 },
        }),
      );
      expect(fake.consumers[0].settings).toMatchObject({
        maxWaitTimeMs: 50,
        sessionTimeoutMs: 20_000,
        requestTimeoutMs: 40_000,
        heartbeatIntervalMs: 2000,
        joinTimeoutMs: 1234,
      });
      await expect(transport.subscribe(spec({ consumerConfig: { 'fetch.min.bytes': 1 } }))).rejects.toThrow(
        /consumerConfig\.fetch\.min\.bytes/,
      );
      await transport.close();
    });
  });

  describe('request/reply', () => {
    it('correlates replies on the instance reply topic and ignores foreign correlation ids', async () => {
      const fake = new FakeKafka(1);
      const { transport: requester } = await fakeTransport({ fake, context: { clientId: 'api-1' } });
      const { transport: responder } = await fakeTransport({ fake, context: { clientId: 'worker-1' } });
      expect(requester.replyTopic).toBe('api-1.replies');
      const server = await responder.subscribe(spec({ dataset: 'stats.compute', group: 'workers' }));
      const pending = requester.request('stats.compute', json({ sensor: 'a' }), 5_000);
      const [request] = await server.fetch(1, 1_000);
      expect(request.replyTo).toBe('api-1.replies');
      expect(request.correlationId).toMatch(/[0-9a-f-]{36}/);
      expect(request.headers[KafkaReplyHeaders.CORRELATION_ID]).toBeUndefined();
      await responder.reply('api-1.replies', 'someone-else', json('not for you'));
      await responder.reply(request.replyTo as string, request.correlationId, json({ mean: 4 }));
      const reply = await pending;
      expect(JSON.parse(reply.data.toString())).toEqual({ mean: 4 });
      expect(reply).toMatchObject({ dataset: 'api-1.replies', correlationId: request.correlationId });
      const inbox = fake.consumers.find((c) => c.settings.topic === 'api-1.replies');
      expect(inbox?.settings.groupId).toMatch(/^api-1\.replies\./);
      expect(inbox?.commits).toEqual([]);
      await Promise.all([requester.close(), responder.close()]);
    });

    it('replies produced while the inbox group rejoins are still received (it keeps its own position)', async () => {
      const fake = new FakeKafka(1);
      const { transport } = await fakeTransport({ fake });
      const server = await transport.subscribe(spec({ dataset: 'rpc', group: 'rpc' }));
      const pending = transport.request('rpc', json(1), 5_000);
      const [request] = await server.fetch(1, 1_000);
      const inbox = fake.consumers.find((c) => c.settings.topic === transport.replyTopic);
      fake.autoPump = false;
      await transport.reply(request.replyTo as string, request.correlationId, json('ok'));
      inbox?.assign([0]); // its own group rebalanced: the client would restart at the end, past the reply
      expect(inbox?.seeks.at(-1)).toEqual({ partition: 0, offset: 0 });
      fake.pump();
      expect((await pending).data.toString()).toBe('"ok"');
      await transport.close();
    });

    it('times out with RequestTimeoutError naming the destination', async () => {
      const { transport } = await fakeTransport();
      await expect(transport.request('nobody.listens', json(1), 30)).rejects.toEqual(
        new RequestTimeoutError('nobody.listens', 30),
      );
      await transport.close();
    });

    it('fails pending requests when the transport closes', async () => {
      const { transport } = await fakeTransport();
      const pending = transport.request('rpc', json(1), 60_000);
      await settle();
      await transport.close();
      await expect(pending).rejects.toBeInstanceOf(SubscriptionClosedError);
    });
  });

  describe('dataset patterns', () => {
    it("list the matching topics without reply topics: its own (named by replyTopic too) and other instances' <clientId>.replies", async () => {
      const fake = new FakeKafka(1);
      for (const topic of ['app.a', 'app.b.c', 'app.inbox', 'app.api-2.replies', '__consumer_offsets'])
        await fake.ensureTopic(topic);
      const { transport } = await fakeTransport({
        fake,
        context: { clientId: 'api-1', transportOptions: { replyTopic: 'app.inbox' } },
      });
      expect(transport.replyTopic).toBe('app.inbox');
      expect(await transport.listDatasets(parseDatasetPattern({ pattern: 'app.>' }, 'p'))).toEqual([
        'app.a',
        'app.b.c',
      ]);
      await transport.close();
    });
  });

  describe('errors and status', () => {
    // kafkajs gives up after its own few retries, at once when a lost broker refuses the connection (a
    // KafkaJSNonRetriableError around the connection error): a partition leader's failover outlasts that.
    const refused = () =>
      new KafkaJSNumberOfRetriesExceeded(
        new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', {
          code: 'ECONNREFUSED',
        }),
        { retryCount: 5, retryTime: 1000 },
      );

    it('retries a produce through temporary failures until it is acknowledged, reporting disconnected, then connected', async () => {
      const { fake, transport, logger } = await fakeTransport();
      const statuses: TransportStatus['type'][] = [];
      transport.onStatus((s) => statuses.push(s.type));
      fake.produceFailure = refused();
      fake.produceFailureTimes = 3;
      const results = await transport.produce('readings', [json(1)]);
      expect(results).toEqual([{ partition: 0, sequence: 0 }]);
      expect(fake.produceCalls).toBe(4);
      expect(fake.log('readings')[0]).toHaveLength(1);
      expect(statuses).toEqual(['disconnected', 'connected']);
      const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
      expect(warnings).toHaveLength(3);
      expect(warnings[0]).toMatch(
        /^Producing to "readings" failed \(attempt 1\): Kafka is unavailable \(producing to "readings"\): Connection error: connect ECONNREFUSED 127\.0\.0\.1:9092; retrying in \d+ ms$/,
      );
      await transport.close();
      expect(transport.status.type).toBe('closed');
    });

    it('fails a produce whose temporary failures last beyond produceTimeoutMs with TemporaryError naming the option', async () => {
      const { fake, transport } = await fakeTransport({ context: { produceTimeoutMs: 50 } });
      fake.produceFailure = refused();
      fake.produceFailureTimes = 1_000_000;
      const error = await transport.produce('readings', [json(1)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TemporaryError);
      expect(error).not.toBeInstanceOf(ConsumerError);
      expect((error as Error).message).toMatch(
        /within StreamingModule\.produceTimeoutMs = 50 ms: Kafka is unavailable \(producing to "readings"\): Connection error: connect ECONNREFUSED/,
      );
      expect(fake.produceCalls).toBeGreaterThan(1);
      expect(transport.status.type).toBe('disconnected');
      await transport.close();
    });

    it('names the last refusal, not the cut, when produceTimeoutMs falls inside an attempt still waiting', async () => {
      const { fake, transport } = await fakeTransport({ context: { produceTimeoutMs: 200 } });
      // two refusals, then an attempt that never answers: the deadline always cuts that one short (or, on a
      // machine too slow to reach it within 200 ms, ends the loop after a refusal: the same error either way)
      fake.produceFailure = refused();
      fake.produceFailureTimes = 2;
      fake.produceHangs = true;
      const error = await transport.produce('readings', [json(1)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TemporaryError);
      expect((error as Error).message).toMatch(
        /^Gave up after \d+ attempts within StreamingModule\.produceTimeoutMs = 200 ms: Kafka is unavailable \(producing to "readings"\): Connection error: connect ECONNREFUSED/,
      );
      expect((error as Error).message).not.toMatch(/did not acknowledge/);
      await transport.close();
    });

    it('fails a produce the broker refuses (a record too large) at once, without retrying', async () => {
      const { fake, transport } = await fakeTransport();
      fake.produceFailure = Object.assign(new Error('The request included a message larger than the max'), {
        name: 'KafkaJSProtocolError',
        type: 'MESSAGE_TOO_LARGE',
        retriable: false,
      });
      fake.produceFailureTimes = 5;
      const error = await transport.produce('readings', [json(1)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toBe(
        'Kafka rejected a record as too large (producing to "readings"): The request included a message larger than the max',
      );
      expect(fake.produceCalls).toBe(1);
      await transport.close();
    });

    it('ends a produce retrying through an outage when the transport closes', async () => {
      const { fake, transport } = await fakeTransport({ context: { produceTimeoutMs: 60_000 } });
      fake.produceFailure = refused();
      fake.produceFailureTimes = 1_000_000;
      const pending = transport.produce('readings', [json(1)]).catch((e: unknown) => e);
      await settle();
      await transport.close();
      const error = await pending;
      expect(error).toBeInstanceOf(SubscriptionClosedError);
      expect((error as Error).message).toMatch(/produce/);
    });

    it('bounds a produce during an outage by produceTimeoutMs', async () => {
      const { fake, transport } = await fakeTransport({ context: { produceTimeoutMs: 30 } });
      fake.produceHangs = true;
      await expect(transport.produce('readings', [json(1)])).rejects.toThrow(
        /did not acknowledge 1 record\(s\) for "readings" within 30 ms/,
      );
      await transport.close();
    });

    it('creates topics best effort: a refused creation is logged and retried at most 3 times', async () => {
      const fake = new FakeKafka(1);
      let attempts = 0;
      fake.ensureTopic = async () => {
        attempts++;
        throw new TemporaryError('Kafka is unavailable (admin request): Broker 0 not found');
      };
      const { transport, logger } = await fakeTransport({ fake });
      for (let i = 0; i < 5; i++) await transport.produce('readings', [json(i)]);
      expect(fake.log('readings')[0]).toHaveLength(5);
      expect(attempts).toBe(3);
      expect(logger.lines.filter((l) => /not created/.test(l.message))).toHaveLength(3);
      await transport.close();
    });

    it('rejects a dataset that is not a valid topic name with ConfigurationError', async () => {
      const { transport } = await fakeTransport();
      await expect(transport.produce('bad name!', [json(1)])).rejects.toBeInstanceOf(ConfigurationError);
      await expect(transport.subscribe(spec({ dataset: 'a/b' }))).rejects.toThrow(/"dataset"/);
      await transport.close();
    });

    it('validates transportOptions at construction, naming the option', () => {
      const build = (transportOptions: Record<string, unknown>) =>
        new KafkaTransport(testContext({ transportOptions }), async () => ({ driver: new FakeKafka() }));
      expect(() => build({ replyTopc: 'x' })).toThrow(/transportOptions\.replyTopc/);
      expect(() => build({ sasl: { mechanism: 'gssapi' } })).toThrow(/transportOptions\.sasl\.mechanism/);
      expect(() => build({ consumer: { heartbeatIntervalMs: 40_000 } })).toThrow(
        /transportOptions\.consumer\.heartbeatIntervalMs/,
      );
    });

    it('closes idempotently: subscriptions, inbox and driver; later calls fail clearly', async () => {
      const { fake, transport } = await fakeTransport();
      const sub = await transport.subscribe(spec({ group: 'g' }));
      await Promise.all([transport.close(), transport.close()]);
      expect(fake.consumers[0].stopped).toBe(true);
      expect(fake.connected).toBe(false);
      await expect(sub.fetch(1, 0)).rejects.toBeInstanceOf(SubscriptionClosedError);
      await expect(transport.produce('readings', [json(1)])).rejects.toBeInstanceOf(SubscriptionClosedError);
      await expect(transport.subscribe(spec())).rejects.toBeInstanceOf(SubscriptionClosedError);
    });

    it('fails operations before connect with a TemporaryError', async () => {
      const transport = new KafkaTransport(testContext(), async () => ({ driver: new FakeKafka() }));
      await expect(transport.produce('readings', [json(1)])).rejects.toBeInstanceOf(TemporaryError);
      await transport.close();
    });
  });
});
