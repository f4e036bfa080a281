// Failures of a cart call, by what the caller should do about them. The import job maps these to
// BullMQ behaviour: auth → fail at once and mark the store; rate limit / unavailable → retry later.

export abstract class CartError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    readonly cart: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Credentials refused or expired beyond refresh: retrying cannot help; a human must fix them. */
export class CartAuthError extends CartError {
  readonly retryable = false;
}

/**
 * The cart refused the time a request was signed with (makeshop's x-timestamp): our clock and the
 * cart's differ. Not the credentials — the store must not be marked as needing them — and a later
 * attempt, on a corrected clock, can succeed.
 */
export class CartClockError extends CartError {
  readonly retryable = true;
}

/** The cart said "slow down" (HTTP 429 or its own code). `retryAfterMs` is the cart's wait, if it gave one. */
export class CartRateLimitError extends CartError {
  readonly retryable = true;
  constructor(
    message: string,
    cart: string,
    readonly retryAfterMs: number | null,
    status: number | null = 429,
  ) {
    super(message, cart, status);
  }
}

/** Network error, timeout or 5xx: the cart is down or struggling. */
export class CartUnavailableError extends CartError {
  readonly retryable = true;
}

/** A body that is not JSON/XML, or a response of a shape we do not understand. */
export class CartResponseError extends CartError {
  readonly retryable = true;
}

/** The cart refused our request as malformed (4xx other than auth and rate limit): a bug or bad settings. */
export class CartRequestError extends CartError {
  readonly retryable = false;
}

export function isCartError(e: unknown): e is CartError {
  return e instanceof CartError;
}
