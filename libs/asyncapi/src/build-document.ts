import type { CatalogHandler, MessagingCatalog } from '@databus/common/internal';
import type { ResolvedAsyncApiOptions } from './asyncapi-options';
import { JsonSchema, PayloadClass, SchemaRegistry } from './schema/class-schema';
import { AsyncApiServer, serversOf } from './servers';

/** An AsyncAPI 3.0.0 document (the parts databus writes). @publicApi */
export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description?: string };
  defaultContentType: 'application/json';
  servers?: Record<string, AsyncApiServer>;
  channels: Record<string, Record<string, unknown>>;
  operations: Record<string, Record<string, unknown>>;
  components: { messages: Record<string, Record<string, unknown>>; schemas: Record<string, JsonSchema> };
}

type Kind = CatalogHandler['kind'];
type Ref = { $ref: string };

/** What a channel is on each kind: the AMQP bindings say how the task queue and events are declared. */
const KIND_TITLE: Record<Kind, string> = { dataset: 'dataset', task: 'task queue', event: 'event exchange' };

/** Keys of AsyncAPI's maps allow letters, digits, `.`, `_` and `-` only. */
function key(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Builds the document from the connections' catalogs (what each handler receives) and the declared
 * producers (what the app sends). Channels are keyed `<kind>.<address>` (`dataset.sensor-readings`,
 * `task.stats`, `event.notifications`; a named connection's channels get its name after the kind), each
 * with one message per payload class; operations are keyed by handler (`ReadingsHandler.onReading`,
 * action `receive`) or `send.<channel>`. Payload schemas come from the DTO classes.
 */
export function buildAsyncApiDocument(
  catalogs: readonly MessagingCatalog[],
  options: Pick<ResolvedAsyncApiOptions, 'info' | 'producers'>,
): AsyncApiDocument {
  const schemas = new SchemaRegistry();
  const servers: Record<string, AsyncApiServer> = {};
  const channels: AsyncApiDocument['channels'] = {};
  const operations: AsyncApiDocument['operations'] = {};
  const messages: AsyncApiDocument['components']['messages'] = {};
  const messageIds = new Map<PayloadClass | undefined, string>();

  const messageFor = (payload: PayloadClass | undefined, fallback: string): string => {
    const known = messageIds.get(payload);
    if (known && payload) return known;
    let id = key(payload?.name || fallback);
    for (let n = 2; id in messages; n++) id = key(`${payload?.name || fallback}_${n}`);
    messages[id] = {
      name: id,
      contentType: 'application/json',
      payload: payload ? schemas.refFor(payload) : {},
    };
    if (payload) messageIds.set(payload, id);
    return id;
  };

  const channelFor = (
    connection: string,
    kind: Kind,
    address: string,
    catalog?: MessagingCatalog,
  ): string => {
    const id = key(
      [kind, connection === 'default' ? undefined : connection, address].filter(Boolean).join('.'),
    );
    if (!channels[id]) {
      const channel: Record<string, unknown> = {
        address,
        title: `${address} (${KIND_TITLE[kind]})`,
        messages: {},
      };
      const serverIds = catalog ? Object.keys(serversOf(catalog)) : [];
      if (serverIds.length) channel.servers = serverIds.map((s): Ref => ({ $ref: `#/servers/${s}` }));
      const bindings = amqpBindings(kind, address, catalog);
      if (bindings) channel.bindings = bindings;
      channels[id] = channel;
    }
    return id;
  };

  const attach = (channelId: string, messageId: string): Ref => {
    (channels[channelId].messages as Record<string, Ref>)[messageId] = {
      $ref: `#/components/messages/${messageId}`,
    };
    return { $ref: `#/channels/${channelId}/messages/${messageId}` };
  };

  /** An operation that sends or receives the message of `payload` on channel `channelId`. */
  const operation = (action: 'send' | 'receive', channelId: string, payload: PayloadClass | undefined) => {
    const message = attach(channelId, messageFor(payload, `${channelId}.message`));
    return { action, channel: { $ref: `#/channels/${channelId}` }, messages: [message] } as Record<
      string,
      unknown
    >;
  };

  for (const catalog of catalogs) Object.assign(servers, serversOf(catalog));

  for (const catalog of catalogs) {
    for (const handler of catalog.handlers) {
      const channelId = channelFor(catalog.connection, handler.kind, handler.address, catalog);
      const receive = operation('receive', channelId, handler.payloadType);
      if (handler.group) receive.description = `Consumer group "${handler.group}".`;
      operations[uniqueKey(operations, key(handler.id))] = receive;
    }
  }

  for (const producer of options.producers) {
    const library = producer.kind === 'dataset' ? 'streaming' : 'queue';
    const catalog = catalogs.find((c) => c.library === library && c.connection === producer.connection);
    const channelId = channelFor(producer.connection, producer.kind, producer.address, catalog);
    const send = operation('send', channelId, producer.payload);
    if (producer.summary) send.summary = producer.summary;
    operations[uniqueKey(operations, key(`send.${channelId}`))] = send;
  }

  const document: AsyncApiDocument = {
    asyncapi: '3.0.0',
    info: { ...options.info },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas: schemas.schemas },
  };
  if (Object.keys(servers).length) document.servers = servers;
  return document;
}

function uniqueKey(map: Record<string, unknown>, base: string): string {
  let id = base;
  for (let n = 2; id in map; n++) id = `${base}_${n}`;
  return id;
}

/** How the queue declares its channels on RabbitMQ: a durable queue per task, a fanout exchange per event. */
function amqpBindings(
  kind: Kind,
  address: string,
  catalog: MessagingCatalog | undefined,
): Record<string, unknown> | undefined {
  if (!catalog || catalog.library !== 'queue' || !catalog.server.scheme.startsWith('amqp')) return undefined;
  if (kind === 'task')
    return {
      amqp: {
        is: 'queue',
        queue: { name: address, durable: true, exclusive: false, autoDelete: false },
        bindingVersion: '0.3.0',
      },
    };
  if (kind === 'event')
    return {
      amqp: {
        is: 'routingKey',
        exchange: { name: address, type: 'fanout', durable: true, autoDelete: false },
        bindingVersion: '0.3.0',
      },
    };
  return undefined;
}
