/** One page of sso:ListAccounts. */
export interface AccountPage {
  accounts: Array<{ accountId: string; accountName: string }>;
  nextToken?: string;
}

/** One page of sso:ListAccountRoles. */
export interface RolePage {
  roleNames: string[];
  nextToken?: string;
}

/**
 * The access-portal listing calls. Errors are the SDK's: `name` is the AWS code, `$metadata` has
 * the status and `$response` the headers (Retry-After).
 */
export interface SsoDirectoryApi {
  listAccounts(input: { accessToken: string; nextToken?: string; maxResults: number }): Promise<AccountPage>;
  listAccountRoles(input: { accessToken: string; accountId: string; nextToken?: string; maxResults: number }): Promise<RolePage>;
}
