// Whether a missing prerequisite (nginx, Chromium, dnsmasq, ../shared/reference, …) fails the run or skips the
// tests that need it, visibly. Only our own CI asks for strict mode, through .ci/run. It is never inferred from
// CI=true: GitHub Actions sets that in every fork, whose checkout has no ../shared beside it.

export const STRICT_ENV = 'MCP_REGISTRY_STRICT_TESTS';

/** True when `.ci/run` asked for every prerequisite to be present. */
export const STRICT_PREREQUISITES = process.env[STRICT_ENV] === '1';
