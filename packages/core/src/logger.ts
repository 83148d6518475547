/**
 * Debug output sink. Lines must never contain a secret: keys go through `formatKeyForDisplay`.
 * @public
 */
export type DebugLogger = (message: string) => void;

/** A logger that drops everything (the default when `--debug` is off). @public */
export const silentLogger: DebugLogger = () => {};
