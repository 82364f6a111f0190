/** A record with headers, some of which can read one header without building the rest. */
export interface HeaderSource {
  readonly headers: Readonly<Record<string, string>>;
  header?(name: string): string | undefined;
}

/** One header of a record: through its `header()` when it has one (no headers object built), else `headers`. */
export function headerOf(record: HeaderSource, name: string): string | undefined {
  return record.header !== undefined ? record.header(name) : record.headers[name];
}
