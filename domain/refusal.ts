// A rule said no: what was asked cannot be done (a quantity below zero, an unknown warehouse, a store
// that does not exist). Use cases throw it or return it; front ends show its message to the person
// (HTTP 400 with the message, in Japanese on the screens; the CLI prints it and exits 1). Any other
// error is a fault of ours: a 500 with a log line and no stack trace in the answer.
export class RuleRefusal extends Error {
  constructor(
    message: string,
    /** A short machine code for the rule (`not_found`, `invalid_quantity`, …). */
    readonly rule = 'refused',
  ) {
    super(message);
    this.name = 'RuleRefusal';
  }
}

export function isRuleRefusal(e: unknown): e is RuleRefusal {
  return e instanceof RuleRefusal;
}
