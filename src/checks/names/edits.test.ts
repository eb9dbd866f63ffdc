import { describe, expect, it } from 'vitest';
import { describeEdit, editDistance, editKind, editsBetween, keyboardNeighbours, wordEnds } from './edits.js';

describe('editDistance', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('reqeusts', 'requests', 2)).toBe(1);
    expect(editDistance('requets', 'requests', 2)).toBe(1);
    expect(editDistance('rrequests', 'requests', 2)).toBe(1);
    expect(editDistance('aiohtttps', 'aiohttp', 2)).toBe(2);
    expect(editDistance('requests', 'requests', 0)).toBe(0);
  });

  it('gives up past the limit', () => {
    expect(editDistance('translation', 'transaction', 1)).toBeUndefined();
    expect(editDistance('translation', 'transaction', 2)).toBe(2);
    expect(editDistance('a', 'abcd', 2)).toBeUndefined();
  });
});

describe('editsBetween and their words', () => {
  const words = (typed: string, target: string): string[] => editsBetween(typed, target).map((e) => describeEdit(e, target));

  it('names each edit', () => {
    expect(words('requets', 'requests')).toEqual(["dropped letter 's'"]);
    expect(words('reqeusts', 'requests')).toEqual(["swapped letters 'ue' -> 'eu'"]);
    expect(words('rrequests', 'requests')).toEqual(["repeated letter 'r'"]);
    expect(words('requezts', 'requests')).toEqual(["keyboard neighbour 'z' for 's'"]);
    expect(words('reque5ts', 'requests')).toEqual(["look-alike '5' for 's'"]);
    expect(words('raquests', 'requests')).toEqual(["vowel 'a' for 'e'"]);
    expect(words('urlib3', 'urllib3')).toEqual(["single 'l' for double 'll'"]);
    expect(words('requestsx', 'requests')).toEqual(["added letter 'x'"]);
  });

  it('classifies edits for the acceptance policy, plurals by word', () => {
    const kinds = (typed: string, target: string, name: string): string[] =>
      editsBetween(typed, target).map((e) => editKind(e, target, wordEnds(name)));
    expect(kinds('importlibsresources', 'importlibresources', 'importlib-resources')).toEqual(['plural']);
    expect(kinds('huggingfaceshub', 'huggingfacehub', 'huggingface-hub')).toEqual(['plural']);
    expect(kinds('huggingfacezhub', 'huggingfacehub', 'huggingface-hub')).toEqual(['insert']);
    expect(kinds('tqmd', 'tqdm', 'tqdm')).toEqual(['swap']);
  });

  it('knows QWERTY neighbours', () => {
    expect(keyboardNeighbours('s', 'z')).toBe(true);
    expect(keyboardNeighbours('r', 't')).toBe(true);
    expect(keyboardNeighbours('q', 'p')).toBe(false);
  });
});
