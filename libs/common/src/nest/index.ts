export { handlerContextCreator } from './handler-context-creator';
export type { HandlerInvokerOptions } from './handler-invoker';
export { createHandlerInvoker } from './handler-invoker';
