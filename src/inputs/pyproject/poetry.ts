/**
 * Poetry's version constraint syntax, translated to PEP 440 specifier text so that the rest of
 * pyward sees one language. Poetry adds `^` (caret), `~` (tilde), bare versions meaning `==`,
 * `*`, and clauses separated by commas or spaces; `||` unions have no PEP 440 form.
 */

export type Translation = { specifier: string } | { error: string };

const OPERATOR = /^(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*/;
const RELEASE = /^(\d+(?:\.\d+)*)(.*)$/;

/** `^1.2` -> `>=1.2,<2.0`; `~1.2.3` -> `>=1.2.3,<1.3.0`; `1.2.*` -> `==1.2.*`; `*` -> ``. */
export function translatePoetryConstraint(text: string): Translation {
  const trimmed = text.trim();
  if (trimmed.includes('|')) {
    return { error: `"${trimmed}" is a union of ranges, which a PEP 440 specifier cannot express` };
  }
  // Poetry allows `>= 1.2, < 2` and `>=1.2 <2`: glue operators to their versions, then split.
  const glued = trimmed.replace(/(\^|~=|~|===|==|!=|<=|>=|<|>|=)\s+/g, '$1');
  const clauses: string[] = [];
  for (const token of glued.split(/[\s,]+/).filter((t) => t !== '')) {
    const operator = OPERATOR.exec(token)![1] ?? '';
    const version = token.slice(OPERATOR.exec(token)![0].length);
    if (version === '') return { error: `"${trimmed}": "${token}" has no version` };
    if (version === '*') {
      if (operator === '' || operator === '=' || operator === '==') continue;
      return { error: `"${trimmed}": "${token}" is not a constraint` };
    }
    if (operator === '^' || operator === '~') {
      const bound = operator === '^' ? caretUpperBound(version) : tildeUpperBound(version);
      if (bound === undefined) return { error: `"${trimmed}": "${token}" needs a release number like 1.2.3` };
      clauses.push(`>=${version}`, `<${bound}`);
    } else if (operator === '' || operator === '=') {
      // A bare version is an exact pin in Poetry, as is a wildcard written without `==`.
      clauses.push(`==${version}`);
    } else {
      clauses.push(`${operator}${version}`);
    }
  }
  return { specifier: clauses.join(',') };
}

/** `^1.2.3` allows changes that do not touch the left-most non-zero release component. */
function caretUpperBound(version: string): string | undefined {
  const parts = releaseParts(version);
  if (!parts) return undefined;
  const firstNonZero = parts.findIndex((part) => part !== 0);
  return bump(parts, firstNonZero < 0 ? parts.length - 1 : firstNonZero);
}

/** `~1.2.3` allows patch changes; `~1` allows minor changes. */
function tildeUpperBound(version: string): string | undefined {
  const parts = releaseParts(version);
  if (!parts) return undefined;
  return bump(parts, parts.length === 1 ? 0 : 1);
}

function releaseParts(version: string): number[] | undefined {
  const m = RELEASE.exec(version);
  return m ? m[1]!.split('.').map(Number) : undefined;
}

/** Increments component `index`, zeroes the ones after it, keeps as many components as written. */
function bump(parts: number[], index: number): string {
  return parts.map((part, i) => (i < index ? part : i === index ? part + 1 : 0)).join('.');
}

/**
 * Poetry's per-dependency `python = "^3.8"` as a PEP 508 marker. Three-component versions compare
 * against `python_full_version`, since `python_version` only carries two.
 */
export function pythonConstraintMarker(text: string): string | undefined {
  const translated = translatePoetryConstraint(text);
  if ('error' in translated || translated.specifier === '') return undefined;
  return translated.specifier
    .split(',')
    .map((clause) => {
      const m = /^(~=|===|==|!=|<=|>=|<|>)(.*)$/.exec(clause)!;
      const version = m[2]!;
      const variable = version.replace(/\.\*$/, '').split('.').length >= 3 ? 'python_full_version' : 'python_version';
      return `${variable} ${m[1]} "${version}"`;
    })
    .join(' and ');
}
