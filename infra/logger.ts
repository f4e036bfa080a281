// Structured logs (pino, JSON lines). Secrets and customer personal data are redacted by path so a
// careless `log.info({ store })` cannot leak credentials.
import { pino } from 'pino';
import { LOG_LEVELS } from './config.js';

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
    // An unknown LOG_LEVEL would make pino throw before anything is validated: log at info, and let
    // the configuration check (infra/config.ts) name the variable and stop the process.
    level: (LOG_LEVELS as readonly string[]).includes(process.env.LOG_LEVEL ?? '')
      ? (process.env.LOG_LEVEL as string)
      : 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const logger = createLogger();

export type Logger = ReturnType<typeof createLogger>;
