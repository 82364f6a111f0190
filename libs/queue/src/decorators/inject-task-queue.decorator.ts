import { Inject } from '@nestjs/common';
import { TaskQueue } from '../task-queue.service';
import { DEFAULT_CONNECTION } from '../task-queue.constants';

/** The injection token of the `TaskQueue` of connection `name` (the class itself for the default one). @publicApi */
export function getTaskQueueToken(name: string = DEFAULT_CONNECTION): string | typeof TaskQueue {
  return name === DEFAULT_CONNECTION ? TaskQueue : `databus:queue:TaskQueue:${name}`;
}

/** Injects the `TaskQueue` of the named connection (`TaskQueueModule.forRoot({ name, … })`). @publicApi */
export const InjectTaskQueue = (name: string = DEFAULT_CONNECTION): PropertyDecorator & ParameterDecorator =>
  Inject(getTaskQueueToken(name));
