export { handlerContextCreator } from './handler-context-creator';
