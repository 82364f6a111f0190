import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type {
  BatchCommand,
  BatchRequest,
  BatchResult,
  CentrifugoMethod,
  RequestOf,
  ResultOf,
} from '../api/methods';
import type {
  BroadcastRequest,
  ChannelsRequest,
  DisconnectRequest,
  HistoryRemoveRequest,
  HistoryRequest,
  PresenceRequest,
  PresenceStatsRequest,
  PublishRequest,
  RefreshRequest,
  SubscribeRequest,
  UnsubscribeRequest,
} from '../api/requests';
import type {
  BroadcastResult,
  ChannelsResult,
  EmptyResult,
  HistoryResult,
  InfoResult,
  PresenceResult,
  PresenceStatsResult,
  PublishResult,
} from '../api/results';
import { encodeRequest } from '../api/wire-requests';
import {
  decodeErrorInfo,
  decodeReply,
  decodeResult,
  object,
  array,
  ReplyShapeError,
} from '../api/wire-results';
import { ApiResponseError, DecodeError } from '../errors';
import { httpCall } from '../http/http-call';
import { REALTIME_MODULE_OPTIONS } from '../realtime.module-definition';
import type { RealtimeModuleOptions, ResolvedRealtimeOptions } from '../options/realtime-options.interface';
import { resolveRealtimeOptions } from '../options/resolve-realtime-options';

/** Per-call options. */
export interface CallOptions {
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Cancels the call; it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Client of the Centrifugo server HTTP API (v5/v6): one typed method per API method, each a
 * `POST {apiUrl}/{method}` with the `X-API-Key` header.
 *
 * Errors: `NetworkError`, `TimeoutError` (temporary), `TransportError` (non-2xx), `UnauthorizedError`
 * (bad key), `DecodeError` (unreadable reply), `ApiResponseError` (Centrifugo's `{ code, message }`); all
 * are `instanceof RealtimeError`. `broadcast` and `batch` never throw for one item's error: each item of
 * their result carries its own `result` or `error`.
 *
 * Injected by `RealtimeModule`, or built directly: `new CentrifugoClient({ apiUrl, apiKey })` (then call
 * `close()` when done).
 * @publicApi
 */
@Injectable()
export class CentrifugoClient implements OnApplicationShutdown {
  private readonly options: ResolvedRealtimeOptions;
  private closed = false;

  constructor(@Inject(REALTIME_MODULE_OPTIONS) options: RealtimeModuleOptions) {
    const logger = new Logger(CentrifugoClient.name);
    this.options = resolveRealtimeOptions(options, (message) => logger.warn(message));
  }

  /** The API URL in use, credentials masked. */
  get endpoint(): string {
    return this.options.endpoint;
  }

  /** Publishes `data` to one channel. */
  publish(request: PublishRequest, options?: CallOptions): Promise<PublishResult> {
    return this.call('publish', request, options);
  }

  /** Publishes the same data to many channels; per-channel errors are in `responses[i].error`. */
  broadcast(request: BroadcastRequest, options?: CallOptions): Promise<BroadcastResult> {
    return this.call('broadcast', request, options);
  }

  /** Subscribes a user (or one of their clients/sessions) to a channel, server-side. */
  subscribe(request: SubscribeRequest, options?: CallOptions): Promise<EmptyResult> {
    return this.call('subscribe', request, options);
  }

  /** Unsubscribes a user (or one of their clients/sessions) from a channel. */
  unsubscribe(request: UnsubscribeRequest, options?: CallOptions): Promise<EmptyResult> {
    return this.call('unsubscribe', request, options);
  }

  /** Disconnects a user's connections (or one client/session), optionally with a custom code and reason. */
  disconnect(request: DisconnectRequest, options?: CallOptions): Promise<EmptyResult> {
    return this.call('disconnect', request, options);
  }

  /** Extends (or expires) a user's connection. */
  refresh(request: RefreshRequest, options?: CallOptions): Promise<EmptyResult> {
    return this.call('refresh', request, options);
  }

  /** The clients subscribed to a channel, keyed by client id. */
  presence(request: PresenceRequest, options?: CallOptions): Promise<PresenceResult> {
    return this.call('presence', request, options);
  }

  /** The number of clients and unique users subscribed to a channel. */
  presenceStats(request: PresenceStatsRequest, options?: CallOptions): Promise<PresenceStatsResult> {
    return this.call('presence_stats', request, options);
  }

  /** Publications kept in a channel's history, and its current stream position. */
  history(request: HistoryRequest, options?: CallOptions): Promise<HistoryResult> {
    return this.call('history', request, options);
  }

  /** Removes a channel's history. */
  historyRemove(request: HistoryRemoveRequest, options?: CallOptions): Promise<EmptyResult> {
    return this.call('history_remove', request, options);
  }

  /** Active channels, optionally filtered by `pattern`. */
  channels(request: ChannelsRequest = {}, options?: CallOptions): Promise<ChannelsResult> {
    return this.call('channels', request, options);
  }

  /** Statistics of the Centrifugo nodes. */
  info(options?: CallOptions): Promise<InfoResult> {
    return this.call('info', {}, options);
  }

  /**
   * Sends several commands in one round trip. Replies come in the order of `commands`, each typed by its
   * command's method and holding either `result` or `error`; only a failure of the whole call throws.
   */
  async batch<const T extends readonly BatchCommand[]>(
    request: BatchRequest<T>,
    options?: CallOptions,
  ): Promise<BatchResult<T>> {
    if (!request || !Array.isArray(request.commands))
      throw new TypeError('The "batch" request must have a "commands" array.');
    const commands = request.commands.map((command) => ({
      [command.method]: encodeRequest(command.method, command.request as never),
    }));
    const body = { commands, ...(request.parallel !== undefined && { parallel: request.parallel }) };
    const reply = await this.send('batch', body, options);
    return this.decode('batch', () => {
      const replies = array(reply.replies, 'replies');
      if (replies.length !== commands.length)
        throw new ReplyShapeError(`${replies.length} replies for ${commands.length} commands`);
      return {
        replies: replies.map((item, i) => {
          const method = request.commands[i].method;
          return decodeReply(
            object(item, `replies[${i}]`),
            `replies[${i}]`,
            (raw) => decodeResult(method, raw),
            (it) => it[method],
          );
        }),
      } as BatchResult<T>;
    });
  }

  /**
   * Calls any covered method by its wire name, e.g. `call('presence_stats', { channel })`. The typed
   * methods above are shorthands for this.
   */
  async call<M extends CentrifugoMethod>(
    method: M,
    request: RequestOf<M>,
    options?: CallOptions,
  ): Promise<ResultOf<M>> {
    const reply = await this.send(method, encodeRequest(method, request), options);
    return this.decode(method, () => decodeResult(method, reply.result));
  }

  /** Releases the built-in agent's sockets. A custom agent is left alone. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.options.ownsAgent) this.options.agent.destroy();
  }

  /**
   * @internal Nest lifecycle: closes the client in the last shutdown phase, so that whatever still publishes
   * while draining (`beforeApplicationShutdown`, e.g. the dataset bridge) can finish.
   */
  onApplicationShutdown(): void {
    this.close();
  }

  private async send(method: string, body: object, options?: CallOptions): Promise<Record<string, unknown>> {
    if (this.closed) throw new Error(`CentrifugoClient is closed; cannot call "${method}".`);
    let json: string;
    try {
      json = JSON.stringify(body);
    } catch (cause) {
      throw new TypeError(`The "${method}" request cannot be serialised to JSON.`, { cause });
    }
    const reply = await httpCall({
      apiUrl: this.options.apiUrl,
      endpoint: this.options.endpoint,
      apiKey: this.options.apiKey,
      agent: this.options.agent,
      method,
      body: json,
      timeoutMs: options?.timeoutMs ?? this.options.timeoutMs,
      signal: options?.signal,
    });
    if (reply.error !== undefined && reply.error !== null) {
      const error = this.decode(method, () => decodeErrorInfo(reply.error));
      throw new ApiResponseError(method, this.options.endpoint, error.code, error.message);
    }
    return reply;
  }

  private decode<T>(method: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ReplyShapeError)
        throw new DecodeError(method, this.options.endpoint, error.message, { cause: error });
      throw error;
    }
  }
}
