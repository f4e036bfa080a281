// A CSV order file that cannot be read as orders at all: wrong columns, not CSV, unknown encoding.
// It is a CartRequestError (not retryable): retrying the same file cannot help; a human must fix the
// file or the store's column settings. One bad *row* is not this error but a rejection of its order.
import { CartRequestError } from '../errors.js';

export class CsvFormatError extends CartRequestError {
  constructor(
    message: string,
    /** The file name, as given to parseOrderFile. */
    readonly file: string,
    /** Headers (or field descriptions) the file lacks; empty for other format problems. */
    readonly missingColumns: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, 'csv', null, options);
  }
}
