import { MessageHeaders, OutgoingRecord } from './transport-record.interface';

/** A record whose body is text: `data`, its UTF-8 bytes, is built on first read (a transport may send `text`). */
export class TextRecord implements OutgoingRecord {
  amqp?: OutgoingRecord['amqp'];
  private body?: string;
  private bytes?: Buffer;

  constructor(
    text: string,
    public key: string | undefined,
    public headers: MessageHeaders,
  ) {
    this.body = text;
  }

  get text(): string | undefined {
    return this.body;
  }

  get data(): Buffer {
    return (this.bytes ??= Buffer.from(this.body as string, 'utf8'));
  }

  set data(data: Buffer) {
    this.bytes = data;
    this.body = undefined;
  }
}
