import { ValidationPipe } from '@nestjs/common';

/** The demo's `ValidationPipe`: plain objects become DTO instances, unknown properties are refused. */
export function validation(): ValidationPipe {
  return new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true });
}
