import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { SENSOR_ID_PATTERN } from './sensor-id';

/** Validates the `:id` route parameter as a sensor id. */
@Injectable()
export class SensorIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SENSOR_ID_PATTERN.test(value))
      throw new BadRequestException('sensor id: 1 to 64 letters, digits, "-" or "_"');
    return value;
  }
}
