/**
 * Reading what `/usr/bin/security` prints, and what its exit statuses mean.
 *
 * The tool prints every attribute value (and the data of `find-generic-password -g`) with one
 * routine: bytes that are all printable ASCII other than `\` as `"text"`; otherwise `0x` and the
 * bytes in upper-case hex, then, if any byte was printable, two spaces and the text with every
 * other byte as a `\ooo` octal escape. An empty value prints as nothing, a missing one as `<NULL>`.
 * An item prints as:
 *
 * ```
 * keychain: "/Users/jon/Library/Keychains/aws-vault.keychain-db"
 * version: 512
 * class: "genp"
 * attributes:
 *     0x00000007 <blob>="aws-vault (jon)"
 *     "acct"<blob>="jon"
 *     "mdat"<timedate>=0x32303234303131353130333032345A00  "20240115103024Z\000"
 *     "svce"<blob>="aws-vault"
 * ```
 */

/**
 * Exit statuses of the tool: the low byte of the OSStatus its command returned. Different codes can
 * share a low byte, and the messages are localised, so the backend reads both with care.
 * @public
 */
export const SECURITY_STATUS = {
  /** errSecItemNotFound (-25300): "The specified item could not be found in the keychain." */
  ITEM_NOT_FOUND: 44,
  /** errSecDuplicateItem (-25299): "The specified item already exists in the keychain." */
  DUPLICATE_ITEM: 45,
  /** errSecInteractionNotAllowed (-25308): a locked keychain or a confirmation with no GUI to ask in (SSH). */
  INTERACTION_NOT_ALLOWED: 36,
  /** errSecAuthFailed (-25293): wrong keychain password, or access to the item denied. */
  AUTH_FAILED: 51,
  /** errSecUserCanceled (-128): the user cancelled a keychain dialog. */
  USER_CANCELED: 128,
  /** errSecNoSuchKeychain (-25294). */
  NO_SUCH_KEYCHAIN: 50,
  /** errSecDuplicateKeychain (-25296): create-keychain of an existing file. */
  DUPLICATE_KEYCHAIN: 48,
  /** A command that returned -1 (e.g. unlock-keychain when getpass had no terminal and no input). */
  NO_INPUT: 255,
} as const;

/** One item as the tool prints it: its keychain, class and attributes by tag (`acct`, `0x00000007`). @public */
export interface PrintedItem {
  keychain?: string;
  itemClass?: string;
  /** Values by tag; null for `<NULL>`. */
  attributes: Map<string, Uint8Array | null>;
}

/** Attribute tags the backend reads. `0x00000007` is the label (kSecLabelItemAttr). @public */
export const ATTRIBUTE = {
  ACCOUNT: 'acct',
  SERVICE: 'svce',
  LABEL: '0x00000007',
  DESCRIPTION: 'desc',
  MODIFIED: 'mdat',
  CREATED: 'cdat',
} as const;

const HEX_FORM = /^0x([0-9A-Fa-f]*)(?: |$)/;

/**
 * Bytes of one printed value: `<NULL>` → null, `0x…` → the hex bytes, `"…"` → the text between the
 * first and the last quote, nothing → empty. Undefined when the text is none of these.
 * @public
 */
export function decodePrintedValue(printed: string): Uint8Array | null | undefined {
  const text = printed.replace(/\r$/, '');
  if (text === '<NULL>') return null;
  if (text === '') return new Uint8Array(0);
  const hex = HEX_FORM.exec(text);
  if (hex) {
    const digits = hex[1] ?? '';
    if (digits.length % 2 !== 0) return undefined;
    return new Uint8Array(Buffer.from(digits, 'hex'));
  }
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) {
    // Only printable ASCII other than backslash is printed this way: the text is the bytes.
    return new Uint8Array(Buffer.from(text.slice(1, -1), 'latin1'));
  }
  return undefined;
}

const ATTRIBUTE_LINE = /^\s+(?:"(.{4})"|0x([0-9A-Fa-f]{8}) ?)<[^>]*>=(.*)$/;

function printedText(printed: string): string | undefined {
  const bytes = decodePrintedValue(printed);
  return bytes === null || bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/**
 * Every item in the output of `dump-keychain` or `find-generic-password` (stdout). Lines that are
 * not part of an item are ignored; values that cannot be read are left out.
 * @public
 */
export function parsePrintedItems(output: string): PrintedItem[] {
  const items: PrintedItem[] = [];
  let current: PrintedItem | undefined;
  for (const rawLine of output.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (line.startsWith('keychain: ')) {
      current = { attributes: new Map() };
      const keychain = printedText(line.slice('keychain: '.length));
      if (keychain !== undefined) current.keychain = keychain;
      items.push(current);
      continue;
    }
    if (current === undefined) continue;
    if (line.startsWith('class: ')) {
      const value = line.slice('class: '.length);
      const bytes = decodePrintedValue(value);
      if (bytes !== null && bytes !== undefined) {
        current.itemClass = value.startsWith('"') ? Buffer.from(bytes).toString('latin1') : `0x${Buffer.from(bytes).toString('hex').toUpperCase()}`;
      }
      continue;
    }
    const match = ATTRIBUTE_LINE.exec(line);
    if (!match) continue;
    const tag = match[1] ?? `0x${(match[2] ?? '').toUpperCase()}`;
    const value = decodePrintedValue(match[3] ?? '');
    if (value !== undefined) current.attributes.set(tag, value);
  }
  return items;
}

/** An attribute as UTF-8 text; undefined when it is missing or `<NULL>`. @public */
export function attributeText(item: PrintedItem, tag: string): string | undefined {
  const value = item.attributes.get(tag);
  return value === null || value === undefined ? undefined : new TextDecoder().decode(value);
}

/** The `timedate` format: `YYYYMMDDhhmmssZ` and a NUL, in UTC. @public */
export function parseTimeDate(value: Uint8Array | null | undefined): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const text = Buffer.from(value).toString('latin1').replace(/\0+$/, '');
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const PASSWORD_LINE = /^password: ?(.*)$/m;

/**
 * The data from the `password: …` line that `find-generic-password -g` prints on stderr; undefined
 * when there is no such line.
 * @public
 */
export function parsePasswordLine(stderr: string): Uint8Array | undefined {
  const match = PASSWORD_LINE.exec(stderr);
  if (!match) return undefined;
  const value = decodePrintedValue(match[1] ?? '');
  return value === null ? undefined : value;
}

/** stderr with any `password:` line removed, so that it can go into an error message. @public */
export function withoutPasswordLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !line.startsWith('password:'))
    .join('\n');
}

/** The last non-empty line of the tool's stderr (password lines never), trimmed, or undefined. @public */
export function lastErrorLine(stderr: string): string | undefined {
  const lines = withoutPasswordLines(stderr)
    .split(/\r?\n/)
    .map((line) => line.trim())
    // `security -i` adds "<command>: returned <status>" after the real message.
    .filter((line) => line !== '' && !/^[a-z-]+: returned -?\d+$/.test(line));
  return lines.at(-1);
}

/** The tool's message for "item not found", in English (messages follow the user's language). */
const NOT_FOUND_TEXT = /item could not be found/i;
const DUPLICATE_TEXT = /already exists in the keychain/i;
const INTERACTION_TEXT = /interaction is not allowed/i;
const CANCELED_TEXT = /user canceled/i;

/** What a failed run means to the backend. @public */
export type SecurityFailure = 'not-found' | 'duplicate' | 'interaction-not-allowed' | 'cancelled' | 'auth-failed' | 'other';

/** Classifies a non-zero exit by status first, then by the (English) message. @public */
export function classifyFailure(status: number | null, stderr: string): SecurityFailure {
  switch (status) {
    case SECURITY_STATUS.ITEM_NOT_FOUND:
      return 'not-found';
    case SECURITY_STATUS.DUPLICATE_ITEM:
      return 'duplicate';
    case SECURITY_STATUS.INTERACTION_NOT_ALLOWED:
      return 'interaction-not-allowed';
    case SECURITY_STATUS.USER_CANCELED:
      return 'cancelled';
    case SECURITY_STATUS.AUTH_FAILED:
      return 'auth-failed';
    default:
      break;
  }
  const text = withoutPasswordLines(stderr);
  if (NOT_FOUND_TEXT.test(text)) return 'not-found';
  if (DUPLICATE_TEXT.test(text)) return 'duplicate';
  if (INTERACTION_TEXT.test(text)) return 'interaction-not-allowed';
  if (CANCELED_TEXT.test(text)) return 'cancelled';
  return 'other';
}
