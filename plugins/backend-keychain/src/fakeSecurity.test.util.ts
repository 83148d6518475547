/**
 * An in-memory emulation of Apple's `/usr/bin/security` behind the `KeychainOs` interface, for tests
 * on Linux, where neither the tool nor the keychain exists. It answers the way the tool does, as
 * read from Apple's SecurityTool sources: options parsed with BSD getopt, `security -i` lines read
 * into a 4096-byte buffer (a longer line runs its tail as a second command) and split with the
 * tool's quoting rules, values printed `"text"` or `0x<HEX>  "<escaped>"`, `-g` data on stderr,
 * exit status = the low byte of the OSStatus (44 for a missing item), a keychain that cannot be
 * opened falling back to the search list, locked keychains, dialogs and access lists.
 */
import type { KeychainOs, SecurityRun } from './keychainOs.js';

/** One generic password in a fake keychain. */
export interface FakeItem {
  service: Buffer;
  account: Buffer;
  label: Buffer | null;
  kind: Buffer | null;
  data: Buffer;
  created: Date;
  modified: Date;
  /** False when created with `-T ""`: every read asks. */
  trusted: boolean;
  /** Anything else (`inet`, a key) printed with this class instead of `genp`. */
  itemClass?: string;
}

export interface FakeKeychain {
  path: string;
  password: string;
  locked: boolean;
  items: FakeItem[];
}

/** One call the backend made: the argv, and what it wrote to stdin (for `-i`). */
export interface FakeCall {
  args: string[];
  stdin?: Buffer;
}

const OS = {
  ITEM_NOT_FOUND: -25300,
  DUPLICATE_ITEM: -25299,
  NO_SUCH_KEYCHAIN: -25294,
  DUPLICATE_KEYCHAIN: -25296,
  INTERACTION_NOT_ALLOWED: -25308,
  AUTH_FAILED: -25293,
  USER_CANCELED: -128,
} as const;

const MESSAGES: Record<number, string> = {
  [OS.ITEM_NOT_FOUND]: 'The specified item could not be found in the keychain.',
  [OS.DUPLICATE_ITEM]: 'The specified item already exists in the keychain.',
  [OS.NO_SUCH_KEYCHAIN]: 'The specified keychain could not be found.',
  [OS.DUPLICATE_KEYCHAIN]: 'A keychain with the same name already exists.',
  [OS.INTERACTION_NOT_ALLOWED]: 'User interaction is not allowed.',
  [OS.AUTH_FAILED]: 'The user name or passphrase you entered is not correct.',
  [OS.USER_CANCELED]: 'User canceled the operation.',
};

/** `print_buffer`: `"text"` when every byte is printable ASCII other than `\`, else `0xHEX` (+ `  "escaped"`). */
export function printBuffer(bytes: Uint8Array): string {
  let hex = false;
  let ascii = false;
  for (const byte of bytes) {
    if (byte >= 0x20 && byte <= 0x7e && byte !== 0x5c) ascii = true;
    else hex = true;
  }
  let out = '';
  if (hex) out += `0x${Buffer.from(bytes).toString('hex').toUpperCase()}${ascii ? ' ' : ''} `;
  if (ascii) {
    out += '"';
    for (const byte of bytes) {
      out += byte >= 0x20 && byte <= 0x7e && byte !== 0x5c ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`;
    }
    out += '"';
  }
  return out;
}

const timeDate = (date: Date): Buffer => {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const text = `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  return Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from([0])]);
};

/** The attribute listing of one item, as `print_keychain_item_attributes` writes it. */
export function printItem(keychain: FakeKeychain, item: FakeItem): string {
  const value = (v: Buffer | null) => (v === null ? '<NULL>' : printBuffer(v));
  const lines = [
    `keychain: ${printBuffer(Buffer.from(keychain.path))}`,
    'version: 512',
    `class: ${item.itemClass ?? '"genp"'}`,
    'attributes:',
    `    0x00000007 <blob>=${value(item.label)}`,
    '    0x00000008 <blob>=<NULL>',
    `    "acct"<blob>=${value(item.account)}`,
    `    "cdat"<timedate>=${printBuffer(timeDate(item.created))}`,
    '    "crtr"<uint32>=<NULL>',
    '    "cusi"<sint32>=<NULL>',
    `    "desc"<blob>=${value(item.kind)}`,
    '    "gena"<blob>=<NULL>',
    '    "icmt"<blob>=<NULL>',
    '    "invi"<sint32>=<NULL>',
    `    "mdat"<timedate>=${printBuffer(timeDate(item.modified))}`,
    '    "nega"<sint32>=<NULL>',
    '    "prot"<blob>=<NULL>',
    '    "scrp"<sint32>=<NULL>',
    `    "svce"<blob>=${value(item.service)}`,
    '    "type"<uint32>=<NULL>',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `split_line` of interactive mode: blanks separate arguments, `"…"`/`'…'` group, a backslash takes
 * the next byte literally (inside quotes too), at most 32 arguments.
 */
export function splitLine(line: Buffer): Buffer[] {
  const args: Buffer[] = [];
  let current: number[] | undefined;
  let state: 'skip' | 'arg' | 'argEscaped' | 'quoted' | 'quotedEscaped' = 'skip';
  let quote = 0;
  const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
  const finish = () => {
    args.push(Buffer.from(current ?? []));
    current = undefined;
    state = 'skip';
  };
  for (const byte of line) {
    if (byte === 0) break; // the C string ends here
    if (state === 'skip') {
      if (isSpace(byte)) continue;
      current = [];
      if (byte === 0x22 || byte === 0x27) {
        quote = byte;
        state = 'quoted';
        continue;
      }
      state = 'arg';
    }
    if (state === 'arg') {
      if (byte === 0x5c) state = 'argEscaped';
      else if (isSpace(byte)) {
        finish();
        if (args.length >= 32) break;
      } else current?.push(byte);
      continue;
    }
    if (state === 'argEscaped') {
      current?.push(byte);
      state = 'arg';
      continue;
    }
    if (state === 'quoted') {
      if (byte === 0x5c) state = 'quotedEscaped';
      else if (byte === quote) {
        finish();
        if (args.length >= 32) break;
      } else current?.push(byte);
      continue;
    }
    current?.push(byte);
    state = 'quoted';
  }
  if (state !== 'skip') finish();
  return args;
}

/** BSD getopt over `args` (args[0] is the command); stops at the first non-option. */
function getopt(args: readonly Buffer[], optstring: string): { options: Array<[string, Buffer | undefined]>; rest: Buffer[]; error?: { option: string; missing: boolean } } {
  const options: Array<[string, Buffer | undefined]> = [];
  let index = 1;
  while (index < args.length) {
    const arg = args[index] as Buffer;
    if (arg.length < 2 || arg[0] !== 0x2d) break;
    if (arg.toString('latin1') === '--') {
      index++;
      break;
    }
    index++;
    for (let at = 1; at < arg.length; at++) {
      const letter = String.fromCharCode(arg[at] as number);
      const spec = optstring.indexOf(letter);
      if (spec < 0 || letter === ':') return { options, rest: [], error: { option: letter, missing: false } };
      if (optstring[spec + 1] === ':') {
        if (at + 1 < arg.length) options.push([letter, arg.subarray(at + 1)]);
        else if (index < args.length) options.push([letter, args[index++] as Buffer]);
        else return { options, rest: [], error: { option: letter, missing: true } };
        break;
      }
      options.push([letter, undefined]);
    }
  }
  return { options, rest: args.slice(index) as Buffer[] };
}

class Output {
  stdout = '';
  stderr = '';
  error(message: string): void {
    this.stderr += `security: ${message}\n`;
  }
}

/** The emulated tool. Every field is a knob a test can turn. */
export class FakeSecurity implements KeychainOs {
  readonly calls: FakeCall[] = [];
  readonly keychains = new Map<string, FakeKeychain>();
  /** Keychains searched when a command names none, or names one it cannot open. */
  searchList: string[] = [];
  /** True when a keychain named on the command line cannot be opened (the tool then searches the search list). */
  openFails = false;
  /** False in a session without GUI (SSH): dialogs cannot be shown. */
  gui = true;
  /** How the user answers dialogs (unlock, confirm access, new keychain password). */
  dialog: 'allow' | 'deny' | 'cancel' = 'allow';
  /** What the user types when unlock-keychain asks on the terminal; undefined: there is no terminal. */
  terminalPassword: string | undefined;
  /** Emulates a tool whose -U search also matches the label and kind given (then a changed label is a duplicate). */
  updateMatchesAllAttributes = false;
  /** Dialogs shown so far, by kind. */
  readonly dialogs: string[] = [];
  clock: () => Date = () => new Date();

  /** Adds a keychain (unlocked, empty). */
  addKeychain(path: string, password = 'pw'): FakeKeychain {
    const keychain: FakeKeychain = { path, password, locked: false, items: [] };
    this.keychains.set(path, keychain);
    return keychain;
  }

  /** Adds an item the way another program (aws-vault) would have. */
  addItem(path: string, fields: { account: string | Buffer; data: string | Buffer; service?: string; label?: string | null; kind?: string | null; trusted?: boolean; itemClass?: string; modified?: Date }): FakeItem {
    const keychain = this.keychains.get(path) ?? this.addKeychain(path);
    const buf = (v: string | Buffer) => (typeof v === 'string' ? Buffer.from(v) : v);
    const now = fields.modified ?? this.clock();
    const item: FakeItem = {
      service: Buffer.from(fields.service ?? 'aws-vault'),
      account: buf(fields.account),
      label: fields.label === undefined ? Buffer.from(fields.service ?? 'aws-vault') : fields.label === null ? null : Buffer.from(fields.label),
      kind: fields.kind === undefined || fields.kind === null ? null : Buffer.from(fields.kind),
      data: buf(fields.data),
      created: now,
      modified: now,
      trusted: fields.trusted ?? true,
    };
    if (fields.itemClass !== undefined) item.itemClass = fields.itemClass;
    keychain.items.push(item);
    return item;
  }

  find(path: string, account: string, service = 'aws-vault'): FakeItem | undefined {
    return this.keychains.get(path)?.items.find((item) => item.itemClass === undefined && item.service.toString() === service && item.account.equals(Buffer.from(account)));
  }

  async run(args: readonly string[]): Promise<SecurityRun> {
    this.calls.push({ args: [...args] });
    const out = new Output();
    const result = this.#execute(args.map((arg) => Buffer.from(arg)), out);
    return { status: result === -1 ? 255 : result & 0xff, stdout: out.stdout, stderr: out.stderr, timedOut: false };
  }

  async runInteractive(line: Uint8Array): Promise<SecurityRun> {
    const stdin = Buffer.concat([Buffer.from(line), Buffer.from('\n')]);
    this.calls.push({ args: ['-i'], stdin });
    const out = new Output();
    let result = 0;
    let at = 0;
    // readline() into a 4096-byte buffer: at most 4095 bytes per command; a line without its
    // newline at EOF is dropped.
    while (at < stdin.length) {
      const end = stdin.indexOf(0x0a, at);
      let chunk: Buffer;
      if (end < 0) break;
      if (end - at > 4095) {
        chunk = stdin.subarray(at, at + 4095);
        at += 4095;
      } else {
        chunk = stdin.subarray(at, end);
        at = end + 1;
      }
      const args = splitLine(chunk);
      result = args.length === 0 ? 0 : this.#execute(args, out);
      if (result === -1) {
        result = 0;
        break;
      }
      if (result !== 0) out.stderr += `${args[0]?.toString() ?? ''}: returned ${result}\n`;
    }
    return { status: result & 0xff, stdout: out.stdout, stderr: out.stderr, timedOut: false };
  }

  async realPath(path: string): Promise<string | undefined> {
    return this.keychains.has(path) ? path : undefined;
  }

  /** Runs one command; returns its result (an OSStatus, 1 or 2 for usage errors, -1). */
  #execute(args: Buffer[], out: Output): number {
    const names = ['create-keychain', 'unlock-keychain', 'dump-keychain', 'add-generic-password', 'find-generic-password', 'delete-generic-password'];
    const typed = args[0]?.toString() ?? '';
    const name = names.find((candidate) => candidate.startsWith(typed));
    switch (name) {
      case 'create-keychain':
        return this.#create(args, out);
      case 'unlock-keychain':
        return this.#unlock(args, out);
      case 'dump-keychain':
        return this.#dump(args, out);
      case 'add-generic-password':
        return this.#add(args, out);
      case 'find-generic-password':
        return this.#findCommand(args, out, false);
      case 'delete-generic-password':
        return this.#findCommand(args, out, true);
      default:
        out.error(`unknown command "${typed}"`);
        return 1;
    }
  }

  /** keychain_create_array: the named keychains, or the search list; a name that does not open falls back to the list. */
  #keychainsFor(names: Buffer[], out: Output): FakeKeychain[] | 'missing' {
    if (names.length === 0 || this.openFails) {
      if (this.openFails) for (const name of names) out.error(`SecKeychainOpen ${name.toString()}: ${MESSAGES[OS.NO_SUCH_KEYCHAIN]}`);
      return this.searchList.map((path) => this.keychains.get(path)).filter((k): k is FakeKeychain => k !== undefined);
    }
    const found = names.map((name) => this.keychains.get(name.toString()));
    return found.some((k) => k === undefined) ? 'missing' : (found as FakeKeychain[]);
  }

  /** A dialog, or errSecInteractionNotAllowed without a GUI. */
  #ask(kind: string): number {
    if (!this.gui) return OS.INTERACTION_NOT_ALLOWED;
    this.dialogs.push(kind);
    if (this.dialog === 'cancel') return OS.USER_CANCELED;
    if (this.dialog === 'deny') return kind === 'unlock' ? OS.USER_CANCELED : OS.AUTH_FAILED;
    return 0;
  }

  /** A locked keychain asks to be unlocked in a dialog. */
  #unlockedByDialog(keychain: FakeKeychain): number {
    if (!keychain.locked) return 0;
    const answer = this.#ask('unlock');
    if (answer === 0) keychain.locked = false;
    return answer;
  }

  #create(args: Buffer[], out: Output): number {
    const parsed = getopt(args, 'hp:P');
    if (parsed.error) return 2;
    let password = parsed.options.find(([o]) => o === 'p')?.[1]?.toString();
    const prompt = parsed.options.some(([o]) => o === 'P');
    if (password === undefined && !prompt) {
      if (this.terminalPassword === undefined) return -1;
      password = this.terminalPassword;
    }
    for (const name of parsed.rest) {
      const path = name.toString();
      if (this.keychains.has(path)) {
        out.error(`SecKeychainCreate ${path}: ${MESSAGES[OS.DUPLICATE_KEYCHAIN]}`);
        return OS.DUPLICATE_KEYCHAIN;
      }
      if (prompt) {
        const answer = this.#ask('new keychain password');
        if (answer !== 0) {
          out.error(`SecKeychainCreate ${path}: ${MESSAGES[answer]}`);
          return answer;
        }
        password = 'chosen-in-dialog';
      }
      this.addKeychain(path, password);
    }
    return 0;
  }

  #unlock(args: Buffer[], out: Output): number {
    const parsed = getopt(args, 'hp:u');
    if (parsed.error || parsed.rest.length > 1) return 2;
    const name = parsed.rest[0]?.toString();
    const keychain = name === undefined ? undefined : this.keychains.get(name);
    let password = parsed.options.find(([o]) => o === 'p')?.[1]?.toString();
    if (password === undefined) {
      // prompt_password(): getpass() on the terminal; no terminal and no input → NULL → -1.
      if (this.terminalPassword === undefined) return -1;
      password = this.terminalPassword;
    }
    if (keychain === undefined) {
      out.error(`SecKeychainUnlock ${name ?? '<NULL>'}: ${MESSAGES[OS.NO_SUCH_KEYCHAIN]}`);
      return OS.NO_SUCH_KEYCHAIN;
    }
    if (password !== keychain.password) {
      out.error(`SecKeychainUnlock ${keychain.path}: ${MESSAGES[OS.AUTH_FAILED]}`);
      return OS.AUTH_FAILED;
    }
    keychain.locked = false;
    return 0;
  }

  #dump(args: Buffer[], out: Output): number {
    const parsed = getopt(args, 'adhiro:');
    if (parsed.error) return 2;
    const keychains = this.#keychainsFor(parsed.rest, out);
    if (keychains === 'missing') {
      out.error(`SecKeychainSearchCopyNext: ${MESSAGES[OS.NO_SUCH_KEYCHAIN]}`);
      return 1;
    }
    for (const keychain of keychains) for (const item of keychain.items) out.stdout += printItem(keychain, item);
    return 0;
  }

  #findCommand(args: Buffer[], out: Output, remove: boolean): number {
    const parsed = getopt(args, remove ? 'ha:c:C:D:G:j:l:s:g' : 'ha:c:C:D:G:j:l:s:wg');
    if (parsed.error) return 2;
    const get = (letter: string) => parsed.options.find(([o]) => o === letter)?.[1];
    const service = get('s');
    const account = get('a');
    const label = get('l');
    const withData = parsed.options.some(([o]) => o === 'g' || o === 'w');
    const dataOnly = parsed.options.some(([o]) => o === 'w');
    const keychains = this.#keychainsFor(parsed.rest, out);
    let hit: { keychain: FakeKeychain; item: FakeItem } | undefined;
    if (keychains !== 'missing') {
      for (const keychain of keychains) {
        const item = keychain.items.find(
          (candidate) =>
            candidate.itemClass === undefined &&
            (service === undefined || candidate.service.equals(service)) &&
            (account === undefined || candidate.account.equals(account)) &&
            (label === undefined || (candidate.label !== null && candidate.label.equals(label))),
        );
        if (item) {
          hit = { keychain, item };
          break;
        }
      }
    }
    if (hit === undefined) {
      out.error(`SecKeychainSearchCopyNext: ${MESSAGES[OS.ITEM_NOT_FOUND]}`);
      return OS.ITEM_NOT_FOUND;
    }
    const { keychain, item } = hit;
    if (remove) {
      const unlocked = this.#unlockedByDialog(keychain);
      if (unlocked !== 0) return unlocked;
      out.stdout += printItem(keychain, item);
      keychain.items.splice(keychain.items.indexOf(item), 1);
      out.stderr += 'password has been deleted.\n';
      return 0;
    }
    if (withData) {
      // SecKeychainItemCopyContent: the tool prints nothing of its own when this fails.
      const unlocked = this.#unlockedByDialog(keychain);
      if (unlocked !== 0) return unlocked;
      if (!item.trusted) {
        const allowed = this.#ask('confirm access');
        if (allowed !== 0) return allowed;
      }
    }
    if (dataOnly) {
      const printable = [...item.data].every((byte) => byte >= 0x20 && byte <= 0x7e);
      out.stdout += `${printable ? item.data.toString('latin1') : item.data.toString('hex')}\n`;
      return 0;
    }
    out.stdout += printItem(keychain, item);
    if (withData) out.stderr += `password: ${printBuffer(item.data)}\n`;
    return 0;
  }

  #add(args: Buffer[], out: Output): number {
    const parsed = getopt(args, ':a:c:C:D:G:j:l:s:p:w:X:UAT:h');
    if (parsed.error) {
      if (parsed.error.missing && (parsed.error.option === 'w' || parsed.error.option === 'p')) {
        // -w as the last option: getpass() twice on the terminal ("password data for new item: ").
        return 1;
      }
      return 2;
    }
    let service: Buffer | undefined;
    let account: Buffer | undefined;
    let label: Buffer | undefined;
    let kind: Buffer | undefined;
    let data = Buffer.alloc(0);
    let update = false;
    let trustNoApp = false;
    let allowAny = false;
    for (const [option, value] of parsed.options) {
      if (option === 's') service = value;
      else if (option === 'a') account = value;
      else if (option === 'l') label = value;
      else if (option === 'D') kind = value;
      else if (option === 'w' || option === 'p') data = Buffer.from(value ?? Buffer.alloc(0));
      else if (option === 'X') {
        const hex = value?.toString('latin1') ?? '';
        if (!/^([0-9a-fA-F]{2})*$/.test(hex)) {
          out.error('Unable to convert password data (-X must specify valid hex digits)');
          return 2;
        }
        data = Buffer.from(hex, 'hex');
      } else if (option === 'U') update = true;
      else if (option === 'T' && (value?.length ?? 0) === 0) trustNoApp = true;
      else if (option === 'A') allowAny = true;
    }
    if (service === undefined || account === undefined || parsed.rest.length > 1) return 2;
    const name = parsed.rest[0];
    const keychains = name === undefined ? this.#keychainsFor([], out) : this.#keychainsFor([name], out);
    const keychain = keychains === 'missing' ? undefined : keychains[0];
    if (keychain === undefined) {
      out.error(`SecKeychainItemCreateFromContent (${name?.toString() ?? '<default>'}): ${MESSAGES[OS.NO_SUCH_KEYCHAIN]}`);
      return OS.NO_SUCH_KEYCHAIN;
    }
    const unlocked = this.#unlockedByDialog(keychain);
    if (unlocked !== 0) {
      out.error(`SecKeychainItemCreateFromContent (${keychain.path}): ${MESSAGES[unlocked]}`);
      return unlocked;
    }
    const existing = keychain.items.find((item) => item.itemClass === undefined && item.service.equals(service) && item.account.equals(account));
    const now = this.clock();
    const updatable =
      existing !== undefined &&
      (!this.updateMatchesAllAttributes ||
        ((label === undefined || (existing.label !== null && existing.label.equals(label))) && (kind === undefined || (existing.kind !== null && existing.kind.equals(kind)))));
    if (existing && update && updatable) {
      // SecKeychainItemModifyContent: given attributes and the data change, the access list stays.
      if (label !== undefined) existing.label = label;
      if (kind !== undefined) existing.kind = kind;
      existing.data = data;
      existing.modified = now;
      return 0;
    }
    if (existing) {
      out.error(`SecKeychainItemCreateFromContent (${keychain.path}): ${MESSAGES[OS.DUPLICATE_ITEM]}`);
      return OS.DUPLICATE_ITEM;
    }
    keychain.items.push({ service, account, label: label ?? service, kind: kind ?? null, data, created: now, modified: now, trusted: allowAny || !trustNoApp });
    return 0;
  }
}
