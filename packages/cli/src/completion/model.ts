/**
 * What the completion scripts know statically: every command and alias (oclif ids, `:`-separated,
 * shown with spaces), their flags and positional arguments, and for each flag or argument what
 * kind of value it takes. The shell renderers (bash.ts, zsh.ts, fish.ts, powershell.ts) turn this
 * into data inside the script; dynamic values (profiles, backends, prompts) are fetched at TAB time
 * with `vault __complete <kind>`.
 */

/** What a flag value or a positional argument completes to. */
export type ValueKind =
  | { kind: 'none' }
  | { kind: 'files' }
  | { kind: 'dirs' }
  | { kind: 'commands' }
  | { kind: 'profiles' }
  | { kind: 'backends' }
  | { kind: 'prompts' }
  | { kind: 'options'; options: string[] };

/** Kinds whose values come from `vault __complete <kind>`. */
export const DYNAMIC_KINDS = ['profiles', 'backends', 'prompts'] as const;
export type DynamicKind = (typeof DYNAMIC_KINDS)[number];

export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  /** Every spelling the parser accepts: `--name`, `-c`, long and short aliases. */
  spellings: string[];
  /** Spellings offered when completing a flag (hidden flags offer none, but still take their value). */
  shown: string[];
  description: string;
  /** Undefined for boolean flags. */
  value: ValueKind | undefined;
}

export interface CommandSpec {
  /** oclif id (`plugins:install`); for an alias, the alias. */
  id: string;
  summary: string;
  flags: FlagSpec[];
  /** Positional arguments in order. */
  args: ValueKind[];
  /** After `--`, the rest of the line is another command (`exec`): the shell's own completion takes over. */
  passThrough: boolean;
}

export interface ChildSpec {
  word: string;
  summary: string;
}

export interface CompletionModel {
  bin: string;
  /** Commands and aliases by id. */
  commands: Map<string, CommandSpec>;
  /** For `''` (the top level) and every topic or command id, the words that may follow it. */
  children: Map<string, ChildSpec[]>;
  /** Flags valid with no command (`vault --version`). */
  rootFlags: FlagSpec[];
}

/** The parts of oclif's `Command.Loadable` (`this.config.commands`) the model reads. */
export interface CommandLike {
  id: string;
  aliases?: readonly string[] | undefined;
  hidden?: boolean | undefined;
  summary?: string | undefined;
  description?: string | undefined;
  strict?: boolean | undefined;
  flags?: Readonly<Record<string, FlagLike>> | undefined;
  args?: Readonly<Record<string, ArgLike>> | undefined;
}

export interface FlagLike {
  name: string;
  type: string;
  char?: string | undefined;
  aliases?: readonly string[] | undefined;
  charAliases?: readonly string[] | undefined;
  options?: readonly string[] | undefined;
  hidden?: boolean | undefined;
  summary?: string | undefined;
  description?: string | undefined;
}

export interface ArgLike {
  name?: string | undefined;
  options?: readonly string[] | undefined;
}

export interface TopicLike {
  name: string;
  description?: string | undefined;
  hidden?: boolean | undefined;
}

/** Words that can sit unquoted in every shell we generate for. */
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9._+@%-]*$/;
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Commands whose `--from` / `--to` flags name backends. */
const BACKEND_PAIR_COMMANDS = new Set(['migrate-backend']);

const HELP_FLAG: FlagSpec = { name: 'help', spellings: ['--help'], shown: ['--help'], description: 'Show help for the command', value: undefined };
const VERSION_FLAG: FlagSpec = { name: 'version', spellings: ['--version'], shown: ['--version'], description: 'Show the vault version', value: undefined };

/** The value kind of an option flag, from its options or its name. */
export function flagValueKind(commandId: string, flag: FlagLike): ValueKind {
  const options = safeOptions(flag.options);
  if (options) return { kind: 'options', options };
  const name = flag.name;
  if (name === 'backend' || name === 'source-backend') return { kind: 'backends' };
  if ((name === 'from' || name === 'to') && BACKEND_PAIR_COMMANDS.has(commandId)) return { kind: 'backends' };
  if (name === 'prompt') return { kind: 'prompts' };
  if (name === 'profile' || name.endsWith('-profile')) return { kind: 'profiles' };
  if (name.endsWith('-dir')) return { kind: 'dirs' };
  if (name === 'file' || name.endsWith('-file') || name === 'tls-cert' || name === 'tls-key') return { kind: 'files' };
  if (name.endsWith('-cmd') || name.endsWith('-path')) return { kind: 'commands' };
  return { kind: 'none' };
}

/** The value kind of a positional argument: profiles for `profile`, else its options, else files. */
export function argValueKind(arg: ArgLike, key: string): ValueKind {
  const name = arg.name ?? key;
  if (name === 'profile') return { kind: 'profiles' };
  const options = safeOptions(arg.options);
  if (options) return { kind: 'options', options };
  return { kind: 'files' };
}

function safeOptions(options: readonly string[] | undefined): string[] | undefined {
  if (!options || options.length === 0) return undefined;
  const safe = options.filter((option) => SAFE_WORD.test(option));
  return safe.length > 0 ? safe : undefined;
}

/** First line of a summary, without characters that would need escaping in a description. */
export function cleanSummary(text: string | undefined): string {
  const line = (text ?? '').split('\n')[0] ?? '';
  return line.replace(/[\t\r]/g, ' ').replace(/<%=?[^%]*%>/g, '').replace(/\s+/g, ' ').trim().replace(/\.$/, '');
}

function flagSpec(commandId: string, flag: FlagLike): FlagSpec | undefined {
  if (!SAFE_WORD.test(flag.name)) return undefined;
  const longs = [flag.name, ...(flag.aliases ?? [])].filter((name) => SAFE_WORD.test(name)).map((name) => `--${name}`);
  const shorts = [flag.char, ...(flag.charAliases ?? [])].filter((c): c is string => typeof c === 'string' && /^[A-Za-z0-9]$/.test(c)).map((c) => `-${c}`);
  const spellings = [...shorts, ...longs];
  return {
    name: flag.name,
    spellings,
    shown: flag.hidden ? [] : spellings,
    description: cleanSummary(flag.summary ?? flag.description),
    value: flag.type === 'option' ? flagValueKind(commandId, flag) : undefined,
  };
}

/**
 * Builds the model from oclif's command list (every plugin's commands) and topics. `globalFlags`
 * names the flags also accepted before the command (`vault --debug exec`, see hoistGlobalFlags.ts);
 * their definitions are taken from the commands that have them.
 */
export function buildModel(bin: string, commands: readonly CommandLike[], topics: readonly TopicLike[] = [], globalFlags: readonly string[] = []): CompletionModel {
  const model: CompletionModel = { bin, commands: new Map(), children: new Map(), rootFlags: [HELP_FLAG, VERSION_FLAG] };
  const summaries = new Map<string, string>();
  for (const topic of topics) if (!topic.hidden && SAFE_ID.test(topic.name)) summaries.set(topic.name, cleanSummary(topic.description));

  const addChild = (id: string, summary: string) => {
    const words = id.split(':');
    for (let depth = 0; depth < words.length; depth++) {
      const parent = words.slice(0, depth).join(':');
      const word = words[depth] as string;
      const childId = words.slice(0, depth + 1).join(':');
      const list = model.children.get(parent) ?? [];
      if (!list.some((child) => child.word === word)) {
        list.push({ word, summary: childId === id ? summary : summaries.get(childId) ?? '' });
        model.children.set(parent, list);
      } else if (childId === id) {
        const existing = list.find((child) => child.word === word);
        if (existing && !existing.summary) existing.summary = summary;
      }
    }
  };

  for (const command of [...commands].sort((a, b) => a.id.localeCompare(b.id))) {
    if (command.hidden || !SAFE_ID.test(command.id)) continue;
    const flags: FlagSpec[] = [];
    for (const flag of Object.values(command.flags ?? {})) {
      const spec = flagSpec(command.id, flag);
      if (spec) flags.push(spec);
    }
    if (!flags.some((flag) => flag.name === 'help')) flags.push(HELP_FLAG);
    flags.sort((a, b) => a.name.localeCompare(b.name));
    const args = Object.entries(command.args ?? {}).map(([key, arg]) => argValueKind(arg, key));
    const summary = cleanSummary(command.summary ?? command.description);
    const spec: CommandSpec = { id: command.id, summary, flags, args, passThrough: command.strict === false };
    model.commands.set(command.id, spec);
    addChild(command.id, summary);
    for (const alias of command.aliases ?? []) {
      if (!SAFE_ID.test(alias) || model.commands.has(alias)) continue;
      model.commands.set(alias, { ...spec, id: alias });
      addChild(alias, summary);
    }
  }
  for (const list of model.children.values()) list.sort((a, b) => a.word.localeCompare(b.word));
  for (const name of globalFlags) {
    const definition = commands.find((command) => command.flags?.[name])?.flags?.[name];
    const spec = definition && flagSpec('', definition);
    if (spec) model.rootFlags.push(spec);
  }
  model.rootFlags.sort((a, b) => a.name.localeCompare(b.name));
  return model;
}

/** The kinds a model needs at TAB time, for the `__complete` calls a script may make. */
export function usesKind(model: CompletionModel, kind: ValueKind['kind']): boolean {
  for (const command of model.commands.values()) {
    if (command.args.some((arg) => arg.kind === kind)) return true;
    if (command.flags.some((flag) => flag.value?.kind === kind)) return true;
  }
  return false;
}

/**
 * A value kind as one word for the shell scripts: `profiles`, `files`, ... and for options
 * `options:a,b,c` (option words are checked to hold no comma, space or quote).
 */
export function kindWord(value: ValueKind): string {
  return value.kind === 'options' ? `options:${value.options.join(',')}` : value.kind;
}
