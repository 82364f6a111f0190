/** Header names databus writes and reads. They are plain strings on every transport. @publicApi */
export const DatabusHeaders = Object.freeze({
  /** MIME type of the body: `application/json`, `text/plain`, `application/octet-stream`. */
  CONTENT_TYPE: 'content-type',
  /** The producer-assigned message id (`produce({ messageId })`, the outbox): what idempotent handlers deduplicate on. */
  MESSAGE_ID: 'x-databus-message-id',
  /** Set on a reply whose handler failed: the error's class name. */
  ERROR_NAME: 'x-databus-error-name',
  /** The (redacted) error message of a dead-lettered message or failed reply. */
  ERROR_MESSAGE: 'x-databus-error',
  /** How many times the handler ran before the message was dead-lettered. */
  ATTEMPTS: 'x-databus-attempts',
  /** Dataset the dead-lettered message came from. */
  SOURCE_DATASET: 'x-databus-source-dataset',
  /** Sequence the dead-lettered message had in its dataset. */
  SOURCE_SEQUENCE: 'x-databus-source-sequence',
  /** Key of the dead-lettered message. */
  SOURCE_KEY: 'x-databus-source-key',
  /** Consumer group that gave up on the message. */
  SOURCE_GROUP: 'x-databus-source-group',
  /** When the message was dead-lettered (ISO 8601). */
  FAILED_AT: 'x-databus-failed-at',
});
