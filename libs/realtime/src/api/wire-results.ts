import type { CentrifugoMethod, ResultOf } from './methods';
import type {
  CentrifugoErrorInfo,
  CentrifugoReply,
  ClientInfo,
  NodeInfo,
  Publication,
  PublishResult,
} from './results';

/** A reply whose shape is not what the method returns; the client turns it into a `DecodeError`. */
export class ReplyShapeError extends Error {}

type Decoder<M extends CentrifugoMethod> = (raw: Record<string, unknown>) => ResultOf<M>;

/**
 * snake_case result → camelCase result, one decoder per method. Centrifugo leaves out zero values
 * (proto3 JSON), so missing numbers decode as 0, missing strings as '' and missing maps as `{}`.
 */
const DECODERS: { [M in CentrifugoMethod]: Decoder<M> } = {
  publish: (r) => publishResult(r),
  broadcast: (r) => ({
    responses: array(r.responses, 'responses').map((item, i) =>
      decodeReply(object(item, `responses[${i}]`), `responses[${i}]`, (res) => publishResult(res)),
    ),
  }),
  subscribe: () => ({}),
  unsubscribe: () => ({}),
  disconnect: () => ({}),
  refresh: () => ({}),
  presence: (r) => ({
    presence: mapValues(object(r.presence ?? {}, 'presence'), (v, key) => clientInfo(v, `presence.${key}`)),
  }),
  presence_stats: (r) => ({
    numClients: number(r.num_clients, 'num_clients'),
    numUsers: number(r.num_users, 'num_users'),
  }),
  history: (r) => ({
    publications: array(r.publications, 'publications').map((p, i) => publication(p, `publications[${i}]`)),
    epoch: string(r.epoch, 'epoch'),
    offset: number(r.offset, 'offset'),
  }),
  history_remove: () => ({}),
  channels: (r) => ({
    channels: mapValues(object(r.channels ?? {}, 'channels'), (v, key) => ({
      numClients: number(object(v, `channels.${key}`).num_clients, `channels.${key}.num_clients`),
    })),
  }),
  info: (r) => ({ nodes: array(r.nodes, 'nodes').map((n, i) => nodeInfo(n, `nodes[${i}]`)) }),
};

/** Decodes the `result` of method `method`. Throws `ReplyShapeError` when the shape is wrong. */
export function decodeResult<M extends CentrifugoMethod>(method: M, raw: unknown): ResultOf<M> {
  return (DECODERS[method] as Decoder<M>)(object(raw ?? {}, 'result'));
}

/**
 * Decodes one `{ error }` or `{ result }` item (broadcast responses) or `{ <method>: result }` item (batch
 * replies, where `resultOf` picks the field).
 */
export function decodeReply<R>(
  item: Record<string, unknown>,
  path: string,
  decode: (raw: Record<string, unknown>) => R,
  resultOf: (item: Record<string, unknown>) => unknown = (i) => i.result,
): CentrifugoReply<R> {
  if (item.error !== undefined && item.error !== null)
    return { error: decodeErrorInfo(item.error, `${path}.error`) };
  return { result: decode(object(resultOf(item) ?? {}, `${path}.result`)) };
}

/** Decodes Centrifugo's `{ code, message }`. */
export function decodeErrorInfo(raw: unknown, path = 'error'): CentrifugoErrorInfo {
  const e = object(raw, path);
  return { code: number(e.code, `${path}.code`), message: string(e.message, `${path}.message`) };
}

function publishResult(r: Record<string, unknown>): PublishResult {
  return { offset: number(r.offset, 'offset'), epoch: string(r.epoch, 'epoch') };
}

function clientInfo(raw: unknown, path: string): ClientInfo {
  const c = object(raw, path);
  const info: ClientInfo = {
    user: string(c.user, `${path}.user`),
    client: string(c.client, `${path}.client`),
  };
  if (c.conn_info !== undefined) info.connInfo = c.conn_info;
  if (c.chan_info !== undefined) info.chanInfo = c.chan_info;
  return info;
}

function publication(raw: unknown, path: string): Publication {
  const p = object(raw, path);
  const out: Publication = { data: p.data ?? null, offset: number(p.offset, `${path}.offset`) };
  if (p.info !== undefined && p.info !== null) out.info = clientInfo(p.info, `${path}.info`);
  if (p.tags !== undefined && p.tags !== null)
    out.tags = mapValues(object(p.tags, `${path}.tags`), (v, key) => string(v, `${path}.tags.${key}`));
  return out;
}

function nodeInfo(raw: unknown, path: string): NodeInfo {
  const n = object(raw, path);
  const node: NodeInfo = {
    uid: string(n.uid, `${path}.uid`),
    name: string(n.name, `${path}.name`),
    version: string(n.version, `${path}.version`),
    numClients: number(n.num_clients, `${path}.num_clients`),
    numUsers: number(n.num_users, `${path}.num_users`),
    numChannels: number(n.num_channels, `${path}.num_channels`),
    numSubs: number(n.num_subs, `${path}.num_subs`),
    uptime: number(n.uptime, `${path}.uptime`),
  };
  if (n.metrics != null) {
    const m = object(n.metrics, `${path}.metrics`);
    node.metrics = {
      interval: number(m.interval, `${path}.metrics.interval`),
      items: mapValues(object(m.items ?? {}, `${path}.metrics.items`), (v, k) =>
        number(v, `${path}.metrics.${k}`),
      ),
    };
  }
  if (n.process != null) {
    const p = object(n.process, `${path}.process`);
    node.process = { cpu: number(p.cpu, `${path}.process.cpu`), rss: number(p.rss, `${path}.process.rss`) };
  }
  return node;
}

/** Narrows to a plain object. */
export function object(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ReplyShapeError(`"${path}" is not an object`);
  return value as Record<string, unknown>;
}

/** Narrows to an array; a missing array is empty. */
export function array(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ReplyShapeError(`"${path}" is not an array`);
  return value;
}

// uint64 fields may come as numbers or (protojson style) as numeric strings.
function number(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  throw new ReplyShapeError(`"${path}" is not a number`);
}

function string(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ReplyShapeError(`"${path}" is not a string`);
  return value;
}

function mapValues<T>(
  source: Record<string, unknown>,
  fn: (value: unknown, key: string) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(source)) out[key] = fn(value, key);
  return out;
}
