import { ConsumerError, TemporaryError } from '@databus/common';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { isSuccess, statusError } from './rest-errors';
import { RestEndpoint, RestSession } from './rest-session';
import { commitBody, fromWireRecords, WirePosition } from './rest-wire';

/**
 * One consumer instance of the service, with its own session (sticky cookie):
 * `POST {cp}/consumers`, `POST …/{id}/subscription`, `GET …/{id}/records`, `POST …/{id}/offsets`,
 * `DELETE …/{id}`. A 404 on any call of an existing consumer is a `ConsumerError`.
 */
export class RestConsumer {
  private readonly session: RestSession;
  private instanceId?: string;

  constructor(
    endpoint: RestEndpoint,
    private readonly consumerPathPrefix: string,
    readonly group: string,
    readonly dataset: string,
  ) {
    this.session = new RestSession(endpoint);
  }

  get id(): string | undefined {
    return this.instanceId;
  }

  /** Creates the consumer in its group with `configs` (see `consumerConfigs`). */
  async create(configs: Record<string, string>): Promise<void> {
    this.session.clearCookies();
    const response = await this.session.send({
      method: 'POST',
      path: `${this.consumerPathPrefix}/consumers`,
      json: { consumerGroup: this.group, configs },
    });
    if (!isSuccess(response.status))
      throw statusError(`Creating a consumer in group "${this.group}"`, response, false);
    let id: unknown;
    try {
      id = (JSON.parse(response.body) as { consumerInstanceId?: unknown }).consumerInstanceId;
    } catch {
      id = undefined;
    }
    if (typeof id !== 'string' || id === '')
      throw new TemporaryError(
        `Creating a consumer in group "${this.group}": the answer has no consumerInstanceId.`,
      );
    this.instanceId = id;
  }

  /** Subscribes the consumer to its dataset. */
  async subscribe(): Promise<void> {
    const response = await this.session.send({
      method: 'POST',
      path: this.path('subscription'),
      json: { topics: [this.dataset] },
    });
    if (!isSuccess(response.status)) throw statusError(`Subscribing to "${this.dataset}"`, response, true);
  }

  /** One poll of the consumer's records. */
  async records(signal?: AbortSignal): Promise<IncomingRecord[]> {
    const response = await this.session.send({ method: 'GET', path: this.path('records'), signal });
    if (!isSuccess(response.status))
      throw statusError(`Reading records of "${this.dataset}"`, response, true);
    return fromWireRecords(response.body, this.dataset, new Date());
  }

  /** Commits consumed positions (as they were consumed: the service moves past them). */
  async commit(positions: readonly WirePosition[]): Promise<void> {
    if (positions.length === 0) return;
    const response = await this.session.send({
      method: 'POST',
      path: this.path('offsets'),
      json: commitBody(positions),
    });
    if (!isSuccess(response.status))
      throw statusError(`Committing offsets of "${this.dataset}"`, response, true);
  }

  /** Deletes the consumer; an unknown consumer counts as deleted. Resolves `false` when it was already gone. */
  async delete(): Promise<boolean> {
    if (!this.instanceId) return false;
    const response = await this.session.send({
      method: 'DELETE',
      path: `${this.consumerPathPrefix}/consumers/${encodeURIComponent(this.instanceId)}`,
    });
    this.instanceId = undefined;
    if (response.status === 404) return false;
    if (!isSuccess(response.status))
      throw statusError(`Deleting the consumer of "${this.dataset}"`, response, false);
    return true;
  }

  private path(action: string): string {
    if (!this.instanceId) throw new ConsumerError(`The consumer of "${this.dataset}" was not created.`);
    return `${this.consumerPathPrefix}/consumers/${encodeURIComponent(this.instanceId)}/${action}`;
  }
}
