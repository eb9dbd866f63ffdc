import { describe, expect, it } from 'vitest';
import { redactCredentials, splitCredentials } from './conditional.js';

describe('credentials in index URLs', () => {
  it('moves user-info into a Basic authorization header', () => {
    const { url, headers } = splitCredentials('https://ci%40acme:s3cr%2Ft@pypi.acme.internal/simple/');
    expect(url).toBe('https://pypi.acme.internal/simple/');
    expect(Buffer.from(headers['authorization']!.replace('Basic ', ''), 'base64').toString()).toBe('ci@acme:s3cr/t');
  });

  it('leaves URLs without credentials alone', () => {
    expect(splitCredentials('https://pypi.org/simple/')).toEqual({ url: 'https://pypi.org/simple/', headers: {} });
  });

  it('never shows a password', () => {
    expect(redactCredentials('https://ci:s3cret@pypi.acme.internal/simple/')).toBe('https://****@pypi.acme.internal/simple/');
    expect(redactCredentials('https://token@pypi.acme.internal/simple/')).toBe('https://****@pypi.acme.internal/simple/');
    expect(redactCredentials('https://pypi.org/simple/')).toBe('https://pypi.org/simple/');
  });
});
