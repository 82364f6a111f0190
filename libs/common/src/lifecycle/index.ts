export { ShutdownDrain } from './shutdown-drain';
export type { HookOrderedModule } from './shutdown-drain';
export { DatabusDrain, DatabusDrainModule } from './drain-module';
export { RunnerLifecycle } from './runner-lifecycle';
