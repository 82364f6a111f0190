import { inspect } from 'node:util';
import { IncomingRecord, MessageHeaders } from '../transport/transport-record.interface';
import { decodeJson } from './codec';

/** Settles a message: the runtime gives each message one. */
export interface MessageSettler {
  ack(message: DatasetMessage): Promise<void>;
  nack(message: DatasetMessage, delayMs: number): Promise<void>;
}

/**
 * A message received from a dataset.
 * `data` holds the raw bytes; `json()` and `text()` decode them (`json()` throws `PayloadDecodeError` on a body
 * that is not JSON). `ack()` / `nack()` settle it by hand when `autoCommit` is off.
 * @publicApi
 */
export class DatasetMessage {
  /** The transport's record, for the runtime. */
  readonly record: IncomingRecord;
  private parsed?: { value: unknown };
  private settled = false;

  // The fields below read the record: a message is one small object per delivery, not a copy of it.
  constructor(
    record: IncomingRecord,
    private readonly settler?: MessageSettler,
  ) {
    this.record = record;
  }

  get dataset(): string {
    return this.record.dataset;
  }

  get data(): Buffer {
    return this.record.data;
  }

  get key(): string | undefined {
    return this.record.key;
  }

  get headers(): Readonly<MessageHeaders> {
    return this.record.headers;
  }

  /** Position in the dataset (per partition where the transport has partitions). */
  get sequence(): number {
    return this.record.sequence;
  }

  get timestamp(): Date {
    return this.record.timestamp;
  }

  get partition(): number | undefined {
    return this.record.partition;
  }

  /** True when the broker delivered this message before without an acknowledgement. */
  get redelivered(): boolean {
    return this.record.redelivered;
  }

  /** Where the reply goes when the producer used `request()`. */
  get replyTo(): string | undefined {
    return this.record.replyTo;
  }

  get correlationId(): string | undefined {
    return this.record.correlationId;
  }

  /** The body parsed as JSON (cached). @throws PayloadDecodeError when it is not JSON. */
  json<T = unknown>(): T {
    if (!this.parsed) this.parsed = { value: decodeJson<T>(this.data, this) };
    return this.parsed.value as T;
  }

  /** The body as UTF-8 text. */
  text(): string {
    return this.data.toString('utf8');
  }

  /** Whether `ack()` or `nack()` was called. */
  get isSettled(): boolean {
    return this.settled;
  }

  /** @internal The runtime settled the message itself (auto-commit). */
  markSettled(): void {
    this.settled = true;
  }

  /** Marks the message done; its position is committed. Only needed with `autoCommit: false`. */
  async ack(): Promise<void> {
    if (this.settled || !this.settler) return;
    this.settled = true;
    await this.settler.ack(this);
  }

  /** Asks for the message to be delivered again, after `delayMs`. Only needed with `autoCommit: false`. */
  async nack(delayMs = 0): Promise<void> {
    if (this.settled || !this.settler) return;
    this.settled = true;
    await this.settler.nack(this, delayMs);
  }

  /** Prints metadata only: bodies may hold personal data and are not logged by default. */
  [inspect.custom](): string {
    return `DatasetMessage { dataset: ${JSON.stringify(this.dataset)}, sequence: ${this.sequence}, key: ${JSON.stringify(this.key)}, bytes: ${this.data.length} }`;
  }
}
