/** Parsers of numeric flags for commander: each throws a message that names the flag. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got "${value}"`);
    return n;
  };
}

export function positiveNumber(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value.replace(/\/s$/, ''));
    if (!Number.isFinite(n) || n <= min) throw new Error(`${name} must be a number > ${min}, got "${value}"`);
    return n;
  };
}

export function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got "${value}"`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got "${value}"`);
    return n;
  };
}
