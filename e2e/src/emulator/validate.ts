import { validationError } from './errors.js';

/**
 * Collects parameter constraint violations and reports them all at once, in
 * the wording AWS's request validation uses:
 * "2 validation errors detected: Value 'x' at 'roleSessionName' failed to
 * satisfy constraint: Member must have length greater than or equal to 2; …".
 * Member names are the lower-camel-case parameter names.
 */
export class Validator {
  private readonly problems: string[] = [];

  private fail(member: string, value: string | undefined, constraint: string): void {
    const shown = value === undefined ? 'null' : `'${value}'`;
    this.problems.push(`Value ${shown} at '${member}' failed to satisfy constraint: Member must ${constraint}`);
  }

  /** Records a missing required value; returns whether it was present. */
  required(member: string, value: string | undefined): value is string {
    if (value === undefined) {
      this.fail(member, value, 'not be null');
      return false;
    }
    return true;
  }

  length(member: string, value: string | undefined, min: number, max: number): void {
    if (value === undefined) return;
    // AWS counts characters (code points), not UTF-16 units.
    const length = [...value].length;
    if (length < min) this.fail(member, value, `have length greater than or equal to ${min}`);
    else if (length > max) this.fail(member, value, `have length less than or equal to ${max}`);
  }

  /** `pattern` must match the whole value; `shown` is the pattern as AWS prints it. */
  pattern(member: string, value: string | undefined, pattern: RegExp, shown: string): void {
    if (value === undefined) return;
    const match = pattern.exec(value);
    if (!match || match[0].length !== value.length) {
      this.fail(member, value, `satisfy regular expression pattern: ${shown}`);
    }
  }

  /** Parses an optional integer parameter and checks its range. */
  integer(member: string, value: string | undefined, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value.trim())) {
      this.fail(member, value, 'be a number');
      return undefined;
    }
    const number = Number.parseInt(value, 10);
    if (number < min) this.fail(member, value, `have value greater than or equal to ${min}`);
    else if (number > max) this.fail(member, value, `have value less than or equal to ${max}`);
    return number;
  }

  /** Adds a problem worded by the caller (e.g. list size limits). */
  custom(member: string, value: string | undefined, constraint: string): void {
    this.fail(member, value, constraint);
  }

  /** Throws ValidationError (400) when anything failed. */
  check(): void {
    const count = this.problems.length;
    if (count === 0) return;
    const noun = count === 1 ? 'validation error' : 'validation errors';
    throw validationError(`${count} ${noun} detected: ${this.problems.join('; ')}`);
  }
}

// Constraint patterns from the STS API reference, with the text AWS prints.
export const NAME_PATTERN = { regex: /[\w+=,.@-]*/, shown: '[\\w+=,.@-]*' };
export const SERIAL_PATTERN = { regex: /[\w+=/:,.@-]*/, shown: '[\\w+=/:,.@-]*' };
export const TOKEN_CODE_PATTERN = { regex: /[\d]*/, shown: '[\\d]*' };
export const EXTERNAL_ID_PATTERN = { regex: /[\w+=,.@:/-]*/, shown: '[\\w+=,.@:\\/-]*' };
