/**
 * Error codes Centrifugo puts in `{ error: { code, message } }`, named so that code can branch on them
 * (`error.code === CentrifugoErrorCode.UNKNOWN_CHANNEL`). Codes not listed here may still arrive.
 * @publicApi
 */
export const CentrifugoErrorCode = {
  INTERNAL: 100,
  UNAUTHORIZED: 101,
  UNKNOWN_CHANNEL: 102,
  PERMISSION_DENIED: 103,
  METHOD_NOT_FOUND: 104,
  ALREADY_SUBSCRIBED: 105,
  LIMIT_EXCEEDED: 106,
  BAD_REQUEST: 107,
  NOT_AVAILABLE: 108,
  TOKEN_EXPIRED: 109,
  EXPIRED: 110,
  TOO_MANY_REQUESTS: 111,
  UNRECOVERABLE_POSITION: 112,
} as const;

/** One of the named Centrifugo error codes. */
export type CentrifugoErrorCode = (typeof CentrifugoErrorCode)[keyof typeof CentrifugoErrorCode];
