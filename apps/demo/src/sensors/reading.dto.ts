import { IsISO8601, IsNumber, IsOptional, IsString, Matches } from 'class-validator';
import { SENSOR_ID_PATTERN } from './sensor-id';

/** One reading on the `sensor-readings` dataset. */
export class ReadingDto {
  @IsString()
  @Matches(SENSOR_ID_PATTERN)
  sensor!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  /** When it was measured (ISO 8601); the time of arrival when absent. */
  @IsOptional()
  @IsISO8601()
  time?: string;
}

/** The body of `POST /api/sensors/:id/readings`. */
export class NewReadingDto {
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @IsOptional()
  @IsISO8601()
  time?: string;
}
