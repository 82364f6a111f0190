/** Sensor ids: 1 to 64 letters, digits, `-` and `_` (they appear in URLs and message keys). */
export const SENSOR_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
