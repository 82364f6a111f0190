import { MessageHeaders, OutgoingRecord } from './transport-record.interface';

/**
 * A record whose body is text: `data`, its UTF-8 bytes, is built on first read (a transport may send `text`).
 * Once the bytes exist the text is let go: a record waiting for its acknowledgement holds its body once, not
 * twice (what a batch in flight keeps alive is what every garbage collection meanwhile copies).
 */
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
    if (this.bytes === undefined) {
      this.bytes = Buffer.from(this.body as string, 'utf8');
      this.body = undefined;
    }
    return this.bytes;
  }

  set data(data: Buffer) {
    this.bytes = data;
    this.body = undefined;
  }
}
