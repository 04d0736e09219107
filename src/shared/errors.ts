// Every error a user can meet has a stable code and says what to do about it.
export type ErrorCode =
  | 'TARKA_CONFIG_INVALID'
  | 'TARKA_ES_VERSION_CONFLICT'
  | 'TARKA_ES_UNAVAILABLE'
  | 'TARKA_ES_SERVER_FEATURE_MISSING'
  | 'TARKA_ES_STREAM_UNFIT'
  | 'TARKA_EVENT_UNREADABLE'
  | 'TARKA_WEBHOOK_BAD_PAYLOAD'
  | 'TARKA_WEBHOOK_UNAUTHORIZED'
  | 'TARKA_WEBHOOK_TOO_LARGE'
  | 'TARKA_WEBHOOK_OVERLOADED'
  | 'TARKA_UNAUTHORIZED'
  | 'TARKA_FORBIDDEN'
  | 'TARKA_CROSS_ORIGIN'
  | 'TARKA_HOST_NOT_ALLOWED'
  | 'TARKA_UNSUPPORTED_MEDIA_TYPE'
  | 'TARKA_LIVE_BUSY'
  | 'TARKA_NOT_FOUND'
  | 'TARKA_BAD_REQUEST'
  | 'TARKA_RERUN_LIMITED'
  | 'TARKA_DEPENDENCY_DOWN'
  | 'TARKA_PROJECTOR_LOCKED'
  | 'TARKA_EMBEDDED_START_FAILED';

export class TarkaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TarkaError';
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** Optimistic concurrency failure: someone appended to the aggregate since we read it. */
export class VersionConflict extends TarkaError {
  constructor(
    readonly aggregate: string,
    readonly expected: number,
    readonly actual?: number,
  ) {
    super(
      'TARKA_ES_VERSION_CONFLICT',
      `aggregate ${aggregate} moved past version ${expected}${actual === undefined ? '' : ` (now ${actual})`}`,
      'reload the aggregate and decide again',
    );
  }
}

/** The event store cannot be reached; callers answer "try again", never a fake success. */
export class StoreUnavailable extends TarkaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TARKA_ES_UNAVAILABLE', message, 'NATS JetStream is unreachable; retry shortly', options);
  }
}
