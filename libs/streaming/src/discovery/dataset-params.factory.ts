import { ParamData } from '@nestjs/common';
import { ParamsFactory } from '@nestjs/core/helpers/external-context-creator';
import { DatasetMessage } from '../message/dataset-message';
import { CONTEXT_PARAM, PAYLOAD_PARAM } from '../decorators/params.decorator';

/** Maps `@Payload()` / `@Ctx()` to the arguments a dataset handler is invoked with: `[payload, message]`. */
export class DatasetParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, data: ParamData, args: [unknown, DatasetMessage]): unknown {
    if (!args) return undefined;
    const [payload, message] = args;
    if (type === CONTEXT_PARAM) return message;
    if (type === PAYLOAD_PARAM) {
      if (typeof data === 'string' && payload !== null && typeof payload === 'object')
        return (payload as Record<string, unknown>)[data];
      return payload;
    }
    return undefined;
  }
}
