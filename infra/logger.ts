// Structured logs (pino, JSON lines). Secrets and customer personal data are redacted by path so a
// careless `log.info({ store })` cannot leak credentials.
import { pino } from 'pino';

const REDACT = [
  'credentials',
  '*.credentials',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  'serviceSecret',
  '*.serviceSecret',
  'licenseKey',
  '*.licenseKey',
  '*.email',
  '*.phone',
];

export function createLogger(destination?: { write(line: string): void }) {
  const options = {
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const logger = createLogger();

export type Logger = ReturnType<typeof createLogger>;
