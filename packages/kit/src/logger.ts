/** One logger for every service: JSON lines on stdout, with the service name and, per request, the request id. */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** `destination`: where the lines go instead of stdout (tests that assert on a log line). */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions<never> = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Tokens and secrets must never reach a log line, whatever a caller passes in.
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'headers.authorization',
        'token',
        '*.token',
        'secret',
        '*.secret',
        'password',
        '*.password',
      ],
      censor: '[redacted]',
    },
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
