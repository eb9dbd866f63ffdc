import { describe, expect, it } from 'vitest';
import { score, verdictFor } from './score.js';
import type { Finding } from './types.js';

const f = (rule: string, severity: Finding['severity'], file = 'demo/mod.py', phase?: Finding['phase']): Finding => ({
  rule,
  severity,
  file,
  ...(phase ? { phase } : {}),
});

describe('score', () => {
  it('capabilities alone count nothing', () => {
    expect(score([f('network-request', 'low'), f('process-spawn', 'low'), f('exec-dynamic', 'low')]).score).toBe(0);
  });

  it('low-severity intents count only at install time', () => {
    expect(score([f('credential-files', 'low')]).score).toBe(0);
    expect(score([f('credential-files', 'low', 'demo-1.0/setup.py', 'install')]).score).toBe(2);
  });

  it('a threat rule counts once, at its heaviest finding', () => {
    const s = score([f('hardcoded-ip', 'medium', 'a.py'), f('hardcoded-ip', 'medium', 'b.py', 'import')]);
    expect(s.rules).toEqual({ 'hardcoded-ip': 4.5 });
  });

  it('a capability beside a matching intent in the same file adds half their weights', () => {
    const same = score([f('network-request', 'low', 'a.py'), f('browser-data', 'high', 'a.py')]);
    expect(same.score).toBe(6 + 3.5);
    expect(same.pair).toMatchObject({ tags: ['network', 'credentials'], rules: ['network-request', 'browser-data'] });
    const apart = score([f('network-request', 'low', 'a.py'), f('browser-data', 'high', 'b.py')]);
    expect(apart.score).toBe(6);
    const weak = score([f('network-request', 'low', 'a.py'), f('credential-files', 'low', 'a.py')]);
    expect(weak.score).toBe(0);
  });

  it('install time doubles; tests weigh a quarter, and only in a package its own code makes suspicious', () => {
    expect(score([f('exfil-endpoint', 'high', 'demo-1.0/setup.py', 'install')]).score).toBe(12);
    expect(score([f('exfil-endpoint', 'high', 'demo/tests/test_x.py')]).score).toBe(0);
    expect(score([f('exfil-endpoint', 'high', 'demo/tests/test_x.py'), f('obfuscation-hidden-margin', 'high', 'demo/core.py')]).score).toBe(7.5);
  });

  it('has documented thresholds', () => {
    expect([verdictFor(3.9), verdictFor(4), verdictFor(9.9), verdictFor(10)]).toEqual(['clean', 'suspicious', 'suspicious', 'malicious']);
  });
});
