export { PromiseMemo } from './promise-memo';
