import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, on demand: V8's `gc`, exposed at run time (no `--expose-gc` on the command line).
 * For tests that prove an object is let go (a `WeakRef` to it derefs to `undefined` afterwards); a `WeakRef`
 * keeps its target until the current turn ends, so await a macrotask (`setImmediate`) before calling this.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}
