import { Inject } from '@nestjs/common';
import { getChannelToken } from '../streaming.constants';

/** Injects the `ChannelService` of the `StreamingModule` registered with `name`. @publicApi */
export function InjectChannel(name?: string): ParameterDecorator & PropertyDecorator {
  return Inject(getChannelToken(name));
}
