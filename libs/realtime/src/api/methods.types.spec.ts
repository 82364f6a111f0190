import type { BatchCommand, BatchResult, RequestOf, ResultOf } from './methods';
import type { CentrifugoReply, HistoryResult, PresenceStatsResult, PublishResult } from './results';

// Type-level checks of the public API: `npx tsc --noEmit` fails if the typing drifts.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

describe('batch typing', () => {
  it('types each reply by the method of its command', () => {
    type Commands = readonly [
      { method: 'publish'; request: RequestOf<'publish'> },
      { method: 'presence_stats'; request: RequestOf<'presence_stats'> },
      { method: 'history'; request: RequestOf<'history'> },
    ];
    type Replies = BatchResult<Commands>['replies'];
    const first: Equal<Replies[0], CentrifugoReply<PublishResult>> = true;
    const second: Equal<Replies[1], CentrifugoReply<PresenceStatsResult>> = true;
    const third: Equal<Replies[2], CentrifugoReply<HistoryResult>> = true;
    const result: Equal<ResultOf<'presence_stats'>, PresenceStatsResult> = true;
    expect([first, second, third, result]).toEqual([true, true, true, true]);
  });

  it('rejects a command whose request does not match its method', () => {
    // @ts-expect-error publish needs a channel, not channels
    const wrong: BatchCommand = { method: 'publish', request: { channels: ['a'] } };
    const right: BatchCommand = { method: 'broadcast', request: { channels: ['a'], data: 1 } };
    expect([wrong.method, right.method]).toEqual(['publish', 'broadcast']);
  });
});
