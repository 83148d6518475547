/** Inputs tried per fuzzed parser in CI; docs/security.md reports this figure. */
export const FUZZ_RUNS = 2000;
