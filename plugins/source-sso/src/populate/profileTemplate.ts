import { VaultError } from '@awsvault/core';

/** Values a profile-name template can use. */
export interface TemplateValues {
  accountId: string;
  accountName: string;
  roleName: string;
  /** The sso-session name. */
  session: string;
}

export const DEFAULT_PROFILE_TEMPLATE = '{account_name}-{role_name}';

const PLACEHOLDERS: Record<string, keyof TemplateValues> = {
  account_id: 'accountId',
  account_name: 'accountName',
  role_name: 'roleName',
  session: 'session',
};

/**
 * A value made fit for a profile name: lower case, spaces and anything outside `[a-z0-9._@+=,-]`
 * become `-`, repeated `-` collapse, none at either end.
 */
export function profileNamePart(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9._@+=,-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Checks a template once, before anything is listed: only known `{placeholders}`, at least one. */
export function checkProfileTemplate(template: string): void {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
  const unknown = names.filter((n) => !(n in PLACEHOLDERS));
  if (unknown.length > 0) {
    throw new VaultError('FLAG_INVALID', `--profile-template ${template}: unknown placeholder {${unknown[0]}}`, {
      hint: `use ${Object.keys(PLACEHOLDERS).map((p) => `{${p}}`).join(', ')}`,
    });
  }
  if (/[{}]/.test(template.replace(/\{[^{}]*\}/g, ''))) throw new VaultError('FLAG_INVALID', `--profile-template ${template}: unbalanced { or }`);
  if (!names.includes('role_name')) {
    throw new VaultError('FLAG_INVALID', `--profile-template ${template} does not use {role_name}`, { hint: 'every role needs its own name, e.g. {account_name}-{role_name}' });
  }
  if (!names.includes('account_id') && !names.includes('account_name')) {
    throw new VaultError('FLAG_INVALID', `--profile-template ${template} uses neither {account_name} nor {account_id}`, { hint: 'every account needs its own name, e.g. {account_name}-{role_name}' });
  }
}

/**
 * The profile name for one role: each placeholder replaced by its value made fit by
 * {@link profileNamePart}; the template's own text is kept as written. A name that the AWS config
 * format cannot hold (whitespace, `[`, `]`, a leading `#`/`;`) is an error naming it.
 */
export function renderProfileName(template: string, values: TemplateValues): string {
  const name = template.replace(/\{([^{}]*)\}/g, (_, key: string) => profileNamePart(values[PLACEHOLDERS[key] as keyof TemplateValues]));
  if (name === '' || /[\s[\]]/.test(name) || /^[#;]/.test(name) || name === 'default') {
    throw new VaultError('FLAG_INVALID', `--profile-template ${template} gives ${JSON.stringify(name)} for role ${values.roleName} in account ${values.accountId}, which cannot be a profile name`, {
      hint: 'keep whitespace, [ and ] out of the template',
    });
  }
  return name;
}
