/** pyward's exit codes, documented in the README. */
export const EXIT = { clean: 0, findings: 1, usage: 2, source: 3 } as const;
