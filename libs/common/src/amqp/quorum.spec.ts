import { ConfigurationError } from '../errors';
import { amqpQueueArgs, declarationKey, resolveAmqpDeclaration } from './declaration';
import { isQuorumDeclaration } from './quorum';

const OPTION = 'Worker.handle @TaskHandler.queueOptions';
const quorum = (extra: Record<string, unknown> = {}, flags: Record<string, unknown> = {}) =>
  resolveAmqpDeclaration({ ...flags, arguments: { 'x-queue-type': 'quorum', ...extra } }, OPTION, 'queue');
const refusal = (declare: () => unknown): ConfigurationError => {
  try {
    declare();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('the declaration was accepted');
};

describe('quorum queue declarations (x-queue-type: quorum)', () => {
  it('accepts a quorum queue with a delivery limit and a dead-letter exchange, declared as given', () => {
    const d = quorum({
      'x-delivery-limit': 5,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'q.dlq',
    });
    expect(isQuorumDeclaration(d)).toBe(true);
    expect(amqpQueueArgs(d)).toEqual({
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': 5,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': 'q.dlq',
      },
    });
  });

  it.each([
    ['durable', { durable: false }],
    ['exclusive', { exclusive: true }],
    ['autoDelete', { autoDelete: true }],
  ])('refuses %s, which a quorum queue cannot have, naming the option', (flag, flags) => {
    const error = refusal(() => quorum({}, flags));
    expect(error.option).toBe(`${OPTION}.${flag}`);
  });

  it.each(['x-max-priority', 'x-queue-mode', 'x-queue-master-locator', 'x-queue-version'])(
    'refuses the classic-only argument %s, naming it',
    (argument) => {
      const error = refusal(() => quorum({ [argument]: argument === 'x-queue-mode' ? 'lazy' : 5 }));
      expect(error.option).toBe(`${OPTION}.arguments.${argument}`);
      expect(error.message).toContain("x-queue-type 'quorum'");
    },
  );

  it("refuses x-overflow 'reject-publish-dlx' and keeps 'reject-publish'", () => {
    expect(refusal(() => quorum({ 'x-overflow': 'reject-publish-dlx' })).option).toBe(
      `${OPTION}.arguments.x-overflow`,
    );
    expect(quorum({ 'x-overflow': 'reject-publish' }).arguments['x-overflow']).toBe('reject-publish');
  });

  it('refuses a delivery limit that is not a positive integer, or that would drop messages silently', () => {
    expect(refusal(() => quorum({ 'x-delivery-limit': 0, 'x-dead-letter-exchange': '' })).option).toBe(
      `${OPTION}.arguments.x-delivery-limit`,
    );
    const silent = refusal(() => quorum({ 'x-delivery-limit': 3 }));
    expect(silent.option).toBe(`${OPTION}.arguments.x-dead-letter-exchange`);
    expect(silent.message).toMatch(/drops a message .* silently/);
  });

  it('leaves classic queues and exchanges alone', () => {
    const classic = resolveAmqpDeclaration(
      { durable: false, autoDelete: true, arguments: { 'x-max-priority': 5 } },
      OPTION,
      'queue',
    );
    expect(isQuorumDeclaration(classic)).toBe(false);
    expect(resolveAmqpDeclaration({ durable: false }, 'E', 'exchange').durable).toBe(false);
  });
});

describe('queueType (the typed form of x-queue-type)', () => {
  it("declares queueType 'quorum' as the x-queue-type argument, the same queue as the raw argument", () => {
    const typed = resolveAmqpDeclaration({ queueType: 'quorum' }, OPTION, 'queue');
    expect(isQuorumDeclaration(typed)).toBe(true);
    expect(amqpQueueArgs(typed)).toEqual({ durable: true, arguments: { 'x-queue-type': 'quorum' } });
    expect(declarationKey(typed)).toBe(declarationKey(quorum()));
  });

  it("declares queueType 'classic' as a classic queue, other arguments passed through", () => {
    const classic = resolveAmqpDeclaration(
      { queueType: 'classic', arguments: { 'x-max-priority': 5 } },
      OPTION,
      'queue',
    );
    expect(isQuorumDeclaration(classic)).toBe(false);
    expect(classic.arguments).toEqual({ 'x-max-priority': 5, 'x-queue-type': 'classic' });
  });

  it.each([['stream'], [true], ['Quorum']])('refuses queueType %j, naming the option', (value) => {
    const error = refusal(() => resolveAmqpDeclaration({ queueType: value }, OPTION, 'queue'));
    expect(error.option).toBe(`${OPTION}.queueType`);
    expect(error.message).toBe(
      `Invalid option "${OPTION}.queueType": expected 'quorum' or 'classic', received ${JSON.stringify(value)}.`,
    );
  });

  it('refuses a queueType that the raw x-queue-type argument contradicts, and accepts one that agrees', () => {
    const error = refusal(() =>
      resolveAmqpDeclaration(
        { queueType: 'quorum', arguments: { 'x-queue-type': 'classic' } },
        OPTION,
        'queue',
      ),
    );
    expect(error.option).toBe(`${OPTION}.queueType`);
    expect(error.message).toContain('the queue type that arguments.x-queue-type gives ("classic")');
    const agreed = { queueType: 'quorum', arguments: { 'x-queue-type': 'quorum' } } as const;
    expect(isQuorumDeclaration(resolveAmqpDeclaration(agreed, OPTION, 'queue'))).toBe(true);
  });

  it("names queueType in what a quorum queue refuses when it was asked for with queueType: 'quorum'", () => {
    const priority = refusal(() =>
      resolveAmqpDeclaration({ queueType: 'quorum', arguments: { 'x-max-priority': 5 } }, OPTION, 'queue'),
    );
    expect(priority.option).toBe(`${OPTION}.arguments.x-max-priority`);
    expect(priority.message).toContain(`no x-max-priority with ${OPTION}.queueType 'quorum'`);
    const shared = refusal(() =>
      resolveAmqpDeclaration({ queueType: 'quorum', exclusive: true }, OPTION, 'queue'),
    );
    expect(shared.option).toBe(`${OPTION}.exclusive`);
    expect(shared.message).toContain(`${OPTION}.queueType 'quorum'`);
  });

  it('is refused on an exchange (an unknown key there)', () => {
    const error = refusal(() => resolveAmqpDeclaration({ queueType: 'quorum' }, 'E', 'exchange'));
    expect(error.message).toContain('queueType');
  });
});
