import { ArrayMinSize, IsArray, IsNumber, IsString, Matches } from 'class-validator';
import { SENSOR_ID_PATTERN } from './sensor-id';

/** The `stats` task: the sensor and the values to summarise (as in the course, the data travels with it). */
export class StatsTaskDto {
  @IsString()
  @Matches(SENSOR_ID_PATTERN)
  sensor!: string;

  @IsArray()
  @ArrayMinSize(1)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  data!: number[];
}

/** The event published on the `notifications` exchange when a sensor's stats are ready. */
export interface StatsNotification {
  task: 'statistics';
  sensor: string;
  generated: string;
}

/** The event published on the `logs` exchange when a task fails. */
export interface LogEvent {
  timestamp: string;
  level: 'error' | 'warn';
  content: string;
  sensor?: string;
}
