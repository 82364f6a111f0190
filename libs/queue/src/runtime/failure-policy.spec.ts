import { BadRequestException, ForbiddenException, ServiceUnavailableException } from '@nestjs/common';
import { DatabusError, PayloadDecodeError, TemporaryError } from '@databus/common';
import { decideOnFailure } from './failure-policy';

const policy = {
  onFailure: 'retry' as const,
  retry: { attempts: 3, backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 } },
};

describe('decideOnFailure', () => {
  it('retries with exponential backoff until the last attempt, then dead-letters', () => {
    expect(decideOnFailure(new Error('x'), 1, policy)).toEqual({ action: 'retry', delayMs: 100 });
    expect(decideOnFailure(new TemporaryError('x'), 2, policy)).toEqual({ action: 'retry', delayMs: 200 });
    expect(decideOnFailure(new Error('x'), 3, policy)).toEqual({
      action: 'dead-letter',
      reason: 'retries-exhausted',
    });
  });

  it('dead-letters permanent failures at once: PermanentError and 4xx HttpExceptions (validation, guards)', () => {
    for (const error of [new PayloadDecodeError('bad'), new BadRequestException(), new ForbiddenException()])
      expect(decideOnFailure(error, 1, policy)).toEqual({ action: 'dead-letter', reason: 'permanent-error' });
    expect(decideOnFailure(new ServiceUnavailableException(), 1, policy).action).toBe('retry');
  });

  it('dead-letters a non-retriable DatabusError that is not a PermanentError at once, as streaming does', () => {
    class RefusedError extends DatabusError {
      readonly retriable = false;
    }
    expect(decideOnFailure(new RefusedError('HTTP 404 from the inventory API'), 1, policy)).toEqual({
      action: 'dead-letter',
      reason: 'permanent-error',
    });
  });

  it("acks under onFailure: 'ack', whatever the error", () => {
    expect(decideOnFailure(new PayloadDecodeError('bad'), 1, { ...policy, onFailure: 'ack' })).toEqual({
      action: 'ack',
    });
  });

  it('applies jitter downwards only', () => {
    const jittered = {
      ...policy,
      retry: { ...policy.retry, backoff: { ...policy.retry.backoff, jitter: 0.5 } },
    };
    expect(decideOnFailure(new Error('x'), 1, jittered, () => 1)).toEqual({ action: 'retry', delayMs: 50 });
  });
});
