import { LoggerService, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { backoffDelay, DatabusError, RequestTimeoutError } from '@databus/common';
import { raceAbort } from '@databus/common/internal';
import { DEFAULT_JWT_SOURCE } from './auth.constants';
import { JwtManagerClosedError, TokenRequestError, TokenUnavailableError } from './auth.errors';
import {
  MANAGER_CLOSED,
  NO_USABLE_TOKEN,
  PRINCIPAL_CHANGED,
  REFRESH_FAILED,
  STARTUP_FETCH_FAILED,
  TOKEN_EXPIRED,
  TOKEN_REFRESHED,
} from './auth.messages';
import { jwtCredentials, JwtCredentialsOptions } from './credentials/jwt-credentials';
import { planRefresh, RefreshPlan, resolveExpiresAt } from './expiry';
import type { JwtManagerEvents, RefreshReason } from './jwt-manager.events';
import type { JwtAuthModuleOptions } from './options/jwt-auth-options.interface';
import { resolveJwtAuthOptions, ResolvedJwtAuthOptions } from './options/resolve-jwt-auth-options';
import { RefreshScheduler } from './refresh-scheduler';
import { toDatabusError } from './strategies/token-response';
import { AccessToken, TokenResponse } from './token';
import type { CredentialsProvider } from '@databus/common';
import { sourceState, type JwtManagerStatus } from './jwt-manager-status';
import { cachedHeaders } from './cached-headers';

type Listener<E extends keyof JwtManagerEvents> = (event: JwtManagerEvents[E]) => void;

/**
 * One token source: obtains tokens through its `TokenStrategy`, caches them, refreshes them in the
 * background before they expire, and hands them to any number of callers.
 * - `getToken()` is single-flight: concurrent callers share one request.
 * - Between the scheduled refresh and the hard margin, callers get the cached token at once; only a token
 *   inside the margin (or none) makes them wait.
 * - A failed refresh keeps serving the old token while it is valid and retries with capped exponential
 *   backoff (honouring `Retry-After`); permanent failures wait the maximum backoff.
 * - Timers are `unref()`'d and cleared at shutdown; nothing it logs or throws contains a token.
 * @publicApi
 */
export class JwtManager implements OnModuleInit, OnApplicationShutdown {
  /** The source name (`default` unless several sources are registered). */
  readonly name: string;
  private token: AccessToken | undefined;
  private plan: RefreshPlan | undefined;
  private inflight: Promise<AccessToken> | undefined;
  private failures = 0;
  private lastError: DatabusError | undefined;
  private nextRetryAt: number | undefined;
  private lastForcedAt = Number.NEGATIVE_INFINITY;
  private expiredNotified = false;
  private closed = false;
  private readonly shutdown = new AbortController();
  private readonly scheduler: RefreshScheduler;
  private readonly listeners = new Map<keyof JwtManagerEvents, Set<Listener<keyof JwtManagerEvents>>>();

  constructor(private readonly options: ResolvedJwtAuthOptions) {
    this.name = options.name;
    this.scheduler = new RefreshScheduler(options.now);
    const ok = { source: this.name, outcome: 'ok' };
    const failed = { source: this.name, outcome: 'failed' };
    this.on('refreshed', () => options.metrics.increment('databus_token_refreshes_total', ok));
    this.on('refreshFailed', () => options.metrics.increment('databus_token_refreshes_total', failed));
  }

  /** Builds a manager outside Nest; call `start()` (optional) and `close()` yourself. */
  static create(options: JwtAuthModuleOptions, logger?: LoggerService): JwtManager {
    return new JwtManager(resolveJwtAuthOptions(options, options.name ?? DEFAULT_JWT_SOURCE, logger));
  }

  /** The strategy kind: `mtls`, `password`, `client_credentials`, `custom` or a custom strategy's own. */
  get strategy(): string {
    return this.options.strategy.kind;
  }

  /**
   * A usable token: the cached one, or a new one when none is usable (shared by all concurrent callers).
   * Rejects with the permanent `AuthenticationError` when the credentials are refused, or with
   * `TokenUnavailableError` (its `cause` is the last failure) while the endpoint cannot deliver.
   */
  async getToken(): Promise<AccessToken> {
    this.assertOpen();
    const now = this.options.now();
    const usable = this.usable(now);
    if (usable) {
      this.startBackgroundIfDue(now);
      return usable;
    }
    this.noteExpiry(now);
    if (this.inflight) return this.forCaller(this.inflight);
    if (this.lastError && this.nextRetryAt !== undefined && now < this.nextRetryAt)
      throw this.callerError(this.lastError);
    return this.forCaller(this.refresh('lazy'));
  }

  /** The cached token when usable, without any I/O; `undefined` otherwise. Fed by the background refresh. */
  current(): AccessToken | undefined {
    if (this.closed) return undefined;
    const now = this.options.now();
    const usable = this.usable(now);
    if (usable) this.startBackgroundIfDue(now);
    return usable;
  }

  /** `{ Authorization: 'Bearer …' }` with a usable token. Never log the result. */
  async getHeaders(): Promise<{ Authorization: string }> {
    return { Authorization: (await this.getToken()).authorization };
  }

  /**
   * `{ Authorization: 'Bearer …' }` from the cached token, synchronously (no I/O). Throws
   * `TokenUnavailableError` when no usable token is cached, `JwtManagerClosedError` after `close()`.
   */
  currentHeaders(): { Authorization: string } {
    return cachedHeaders(this.name, this.current(), this.closed, this.nextRetryAt);
  }

  /**
   * Purges the cached token and the failure backoff: the next `getToken()` fetches a new one (a request
   * already in flight still delivers its token). The manager stays open.
   */
  reset(): void {
    this.scheduler.cancel();
    this.token = this.plan = this.lastError = this.nextRetryAt = undefined;
    this.failures = 0;
  }

  /**
   * Replaces the token now, e.g. after a 401. Coalesced: concurrent calls share one request. When `stale`
   * (the token that was refused) is given and a newer token is already cached, that one is returned without
   * a request; forced requests are at most one per `refresh.forcedMinIntervalMs`.
   */
  async forceRefresh(stale?: AccessToken | string): Promise<AccessToken> {
    this.assertOpen();
    const now = this.options.now();
    const usable = this.usable(now);
    if (usable && stale !== undefined && !usable.equals(stale)) return usable;
    if (this.inflight) return this.forCaller(this.inflight);
    if (usable && now - this.lastForcedAt < this.options.policy.forcedMinIntervalMs) return usable;
    this.lastForcedAt = now;
    return this.forCaller(this.refresh('forced'));
  }

  /** Where the source stands (for health checks), without secrets. */
  status(): JwtManagerStatus {
    return {
      source: this.name,
      strategy: this.strategy,
      state: sourceState(this.closed, !!this.usable(this.options.now()), this.failures, !!this.token),
      token: this.token?.toString(),
      expiresAt: this.token?.expiresAt,
      failures: this.failures,
      lastError: this.lastError && {
        name: this.lastError.name,
        message: this.lastError.message,
        permanent: !this.lastError.retriable,
      },
      nextRetryAt: this.nextRetryAt,
    };
  }

  /** Subscribes to `refreshed`, `refreshFailed` or `expired`; returns the unsubscribe function. */
  on<E extends keyof JwtManagerEvents>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<keyof JwtManagerEvents>);
    return () => set.delete(listener as Listener<keyof JwtManagerEvents>);
  }

  /** This source as broker credentials (password = token), for the streaming and queue transports. */
  asCredentialsProvider(options?: JwtCredentialsOptions): CredentialsProvider {
    return jwtCredentials(this, options);
  }

  /**
   * Fetches the first token. With `failOnStartup` (the default) a failure is thrown (and the manager closed);
   * otherwise it is logged and the manager keeps trying in the background.
   */
  async start(): Promise<void> {
    try {
      await this.forCaller(this.refresh('startup'));
    } catch (error) {
      if (this.options.failOnStartup) {
        await this.close();
        throw error;
      }
      this.log('warn', STARTUP_FETCH_FAILED(this.name, (error as Error).message));
    }
  }

  /** Stops timers, aborts a request in flight and releases the strategy's sockets. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.cancel();
    this.shutdown.abort(new JwtManagerClosedError(MANAGER_CLOSED(this.name)));
    this.listeners.clear();
    await this.options.strategy.close?.();
  }

  /** @internal Nest lifecycle: eager fetch at module init. */
  async onModuleInit(): Promise<void> {
    await this.start();
  }

  /** @internal Nest lifecycle: runs after other modules' destroy hooks, so brokers can still read tokens. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private usable(now: number): AccessToken | undefined {
    if (!this.token) return undefined;
    return this.plan === undefined || now < this.plan.usableUntil ? this.token : undefined;
  }

  private startBackgroundIfDue(now: number): void {
    // The timer is the primary trigger; this catches up after a suspended process (timers paused by sleep).
    if (!this.plan || this.inflight || now < this.plan.refreshAt) return;
    if (this.nextRetryAt !== undefined && now < this.nextRetryAt) return;
    this.runInBackground('scheduled');
  }

  private runInBackground(reason: RefreshReason): void {
    if (this.closed) return;
    this.refresh(reason).catch(() => undefined);
  }

  private refresh(reason: RefreshReason): Promise<AccessToken> {
    if (this.inflight) return this.inflight;
    const attempt = this.attempt(reason);
    const clear = (): void => {
      if (this.inflight === attempt) this.inflight = undefined;
    };
    attempt.then(clear, clear);
    this.inflight = attempt;
    return attempt;
  }

  private async attempt(reason: RefreshReason): Promise<AccessToken> {
    this.scheduler.cancel();
    const { now, requestTimeoutMs } = this.options;
    const startedAt = now();
    const controller = new AbortController();
    const onShutdown = (): void => controller.abort(this.shutdown.signal.reason);
    this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const timer = setTimeout(
      () => controller.abort(new RequestTimeoutError(`token source "${this.name}"`, requestTimeoutMs)),
      requestTimeoutMs,
    );
    timer.unref?.();
    try {
      const response = await raceAbort(
        this.options.strategy.fetchToken({ signal: controller.signal, timeoutMs: requestTimeoutMs }),
        controller.signal,
      );
      this.assertOpen();
      const token = this.accept(response, startedAt);
      this.onSuccess(token, reason, startedAt);
      return token;
    } catch (error) {
      if (this.closed) throw new JwtManagerClosedError(MANAGER_CLOSED(this.name));
      const typed = toDatabusError(error, `Token source "${this.name}"`);
      this.onFailure(typed, reason);
      throw typed;
    } finally {
      clearTimeout(timer);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  private accept(response: TokenResponse, startedAt: number): AccessToken {
    if (!response || typeof response.accessToken !== 'string' || !response.accessToken)
      throw new TokenRequestError(`Token source "${this.name}": the strategy returned no token.`);
    const probe = new AccessToken(response.accessToken, { obtainedAt: startedAt });
    const expiresAt = resolveExpiresAt({
      requestStartedAt: startedAt,
      expiresInSeconds: response.expiresIn,
      claims: probe.claims,
    });
    const token = new AccessToken(response.accessToken, {
      obtainedAt: startedAt,
      expiresAt,
      type: response.tokenType,
    });
    if (expiresAt !== undefined && expiresAt <= this.options.now())
      throw new TokenRequestError(
        `Token source "${this.name}": ${token} had already expired when it arrived (are the clocks in sync?).`,
      );
    return token;
  }

  private onSuccess(token: AccessToken, reason: RefreshReason, startedAt: number): void {
    const previous = this.token;
    this.token = token;
    this.plan =
      token.expiresAt === undefined
        ? undefined
        : planRefresh(
            { obtainedAt: token.obtainedAt, expiresAt: token.expiresAt },
            this.options.policy,
            this.options.random,
          );
    this.failures = 0;
    this.lastError = undefined;
    this.nextRetryAt = undefined;
    this.expiredNotified = false;
    if (this.plan) this.scheduler.schedule(this.plan.refreshAt, () => this.runInBackground('scheduled'));
    const latencyMs = Math.max(0, this.options.now() - startedAt);
    const principalChanged = previous !== undefined && previous.subject !== token.subject;
    this.log('log', TOKEN_REFRESHED(this.name, token.toString(), reason, latencyMs));
    if (principalChanged)
      this.log(
        'warn',
        PRINCIPAL_CHANGED(this.name, previous?.subject ?? '(none)', token.subject ?? '(none)'),
      );
    this.emit('refreshed', {
      source: this.name,
      strategy: this.strategy,
      reason,
      token,
      latencyMs,
      principalChanged,
      previousSubject: previous?.subject,
    });
  }

  private onFailure(error: DatabusError, reason: RefreshReason): void {
    const { policy, random } = this.options;
    const now = this.options.now();
    this.failures += 1;
    this.lastError = error;
    const usable = this.usable(now);
    let delay = error.retriable ? backoffDelay(this.failures, policy.backoff, random) : policy.backoff.maxMs;
    const retryAfterMs = error instanceof TokenRequestError ? error.details.retryAfterMs : undefined;
    const untilMargin = this.plan ? this.plan.usableUntil - now : 0;
    if (retryAfterMs !== undefined) delay = Math.max(delay, retryAfterMs);
    else if (usable && delay > untilMargin && untilMargin >= policy.backoff.initialMs)
      // One last attempt just before the token becomes unusable, rather than letting it lapse; never a
      // burst of attempts right at the margin (hence the initialMs floor).
      delay = untilMargin;
    this.nextRetryAt = now + delay;
    this.scheduler.schedule(this.nextRetryAt, () => this.runInBackground('retry'));
    this.log('warn', REFRESH_FAILED(this.name, error.message, this.failures, delay, usable !== undefined));
    this.emit('refreshFailed', {
      source: this.name,
      strategy: this.strategy,
      reason,
      error,
      attempt: this.failures,
      permanent: !error.retriable,
      nextRetryInMs: delay,
      servingStale: usable !== undefined,
    });
    this.noteExpiry(now);
  }

  private noteExpiry(now: number): void {
    if (!this.token || this.expiredNotified || !this.plan || now < this.plan.usableUntil) return;
    this.expiredNotified = true;
    this.log('error', TOKEN_EXPIRED(this.name, this.token.toString()));
    this.emit('expired', { source: this.name, token: this.token, lastError: this.lastError });
  }

  private async forCaller(refresh: Promise<AccessToken>): Promise<AccessToken> {
    try {
      return await refresh;
    } catch (error) {
      throw this.callerError(error);
    }
  }

  private callerError(error: unknown): DatabusError {
    if (error instanceof JwtManagerClosedError) return error;
    const typed = toDatabusError(error, `Token source "${this.name}"`);
    if (!typed.retriable) return typed;
    return new TokenUnavailableError(NO_USABLE_TOKEN(this.name, typed.message), this.nextRetryAt, {
      cause: typed,
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new JwtManagerClosedError(MANAGER_CLOSED(this.name));
  }

  private emit<E extends keyof JwtManagerEvents>(event: E, payload: JwtManagerEvents[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<E>)(payload);
      } catch (error) {
        this.log(
          'error',
          `Token source "${this.name}": a "${event}" listener threw: ${(error as Error)?.message}`,
        );
      }
    }
  }

  private log(level: 'log' | 'warn' | 'error', message: string): void {
    this.options.logger?.[level]?.(message, 'JwtManager');
  }
}
