import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('parses events split across chunks', () => {
    const parser = new SseParser();
    expect(parser.push('event: notifi')).toEqual([]);
    expect(parser.push('cation\ndata: {"sensor":"a"}\nid: 3\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'notification', data: '{"sensor":"a"}', id: '3' }]);
  });

  it('joins multi-line data, ignores comments, accepts CRLF and defaults the type', () => {
    const parser = new SseParser();
    expect(parser.push(': keep-alive\r\ndata: one\r\ndata: two\r\n\r\n')).toEqual([
      { event: 'message', data: 'one\ntwo', id: undefined },
    ]);
  });

  it('drops a block without data', () => {
    expect(new SseParser().push('event: ping\n\n')).toEqual([]);
  });
});
