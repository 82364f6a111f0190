/** A JSON Schema (draft-07 subset, as AsyncAPI 3.0's default schema format takes it). @publicApi */
export type JsonSchema = Record<string, unknown>;

/** A class whose instances are message payloads (a DTO). @publicApi */
export type PayloadClass = abstract new (...args: never[]) => unknown;
