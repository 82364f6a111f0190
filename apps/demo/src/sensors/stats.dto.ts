import { IsISO8601, IsInt, IsNumber, Min } from 'class-validator';

/** Statistics of one sensor's readings, as computed by the worker and stored by the API. */
export class StatsDto {
  @IsInt()
  @Min(1)
  count!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  mean!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  min!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  max!: number;

  /** Population standard deviation. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  stddev!: number;

  /** When the worker computed them (ISO 8601). */
  @IsISO8601()
  generated!: string;
}
