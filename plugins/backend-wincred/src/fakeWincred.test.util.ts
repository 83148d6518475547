/**
 * An in-memory Credential Manager behind the `WincredOs` interface, for tests on Linux, where
 * advapi32 does not exist. It keeps Windows' rules: target names compare without regard to case
 * (a write with another case replaces the credential), a missing credential and an enumeration that
 * matches nothing fail with ERROR_NOT_FOUND (1168), a blob over CRED_MAX_CREDENTIAL_BLOB_SIZE fails
 * with RPC_X_BAD_STUB_DATA (1783), enumeration filters are a prefix and `*`, and credentials of other
 * types (domain passwords) share the namespace.
 */
import { CRED_MAX_CREDENTIAL_BLOB_SIZE, CRED_TYPE_GENERIC, WIN32_ERROR, Win32Error } from './wincredOs.js';
import type { WincredCredential, WincredOs } from './wincredOs.js';

export interface FakeCredential {
  type: number;
  targetName: string;
  blob: Buffer;
  lastWritten: Date;
  persist: number;
  userName: string | null;
}

const MESSAGES: Record<number, string> = {
  [WIN32_ERROR.NOT_FOUND]: 'Element not found.',
  [WIN32_ERROR.RPC_X_BAD_STUB_DATA]: 'The stub received bad data.',
  [WIN32_ERROR.INVALID_PARAMETER]: 'The parameter is incorrect.',
  [WIN32_ERROR.NO_SUCH_LOGON_SESSION]: 'A specified logon session does not exist. It may already have been terminated.',
};

export class FakeWincred implements WincredOs {
  /** By upper-cased target name and type. */
  readonly store = new Map<string, FakeCredential>();
  readonly calls: Array<{ op: string; target: string; blobBytes?: number }> = [];
  /** Makes every call fail with this Windows error (e.g. 1312, no logon session). */
  failWith: number | undefined;
  clock: () => Date = () => new Date();

  #id(target: string, type: number): string {
    return `${type}:${target.toUpperCase()}`;
  }

  #fail(operation: string, code: number): never {
    throw new Win32Error(operation, code, MESSAGES[code] ?? `error ${code}`);
  }

  /** Adds a credential as another program would (aws-vault, or something else entirely). */
  put(targetName: string, blob: string | Buffer, fields: Partial<Pick<FakeCredential, 'type' | 'lastWritten' | 'userName'>> = {}): void {
    const type = fields.type ?? CRED_TYPE_GENERIC;
    this.store.set(this.#id(targetName, type), {
      type,
      targetName,
      blob: typeof blob === 'string' ? Buffer.from(blob) : blob,
      lastWritten: fields.lastWritten ?? this.clock(),
      persist: 2,
      userName: fields.userName ?? null,
    });
  }

  get(targetName: string): FakeCredential | undefined {
    return this.store.get(this.#id(targetName, CRED_TYPE_GENERIC));
  }

  async read(targetName: string, withBlob: boolean): Promise<WincredCredential> {
    this.calls.push({ op: withBlob ? 'read' : 'stat', target: targetName });
    if (this.failWith !== undefined) this.#fail('CredReadW', this.failWith);
    const credential = this.get(targetName);
    if (credential === undefined) this.#fail('CredReadW', WIN32_ERROR.NOT_FOUND);
    const answer: WincredCredential = { type: credential.type, targetName: credential.targetName, lastWritten: credential.lastWritten };
    if (withBlob) answer.blob = new Uint8Array(credential.blob);
    return answer;
  }

  async write(targetName: string, blob: Uint8Array): Promise<void> {
    this.calls.push({ op: 'write', target: targetName, blobBytes: blob.length });
    if (this.failWith !== undefined) this.#fail('CredWriteW', this.failWith);
    if (blob.length > CRED_MAX_CREDENTIAL_BLOB_SIZE) this.#fail('CredWriteW', WIN32_ERROR.RPC_X_BAD_STUB_DATA);
    this.store.set(this.#id(targetName, CRED_TYPE_GENERIC), {
      type: CRED_TYPE_GENERIC,
      targetName,
      blob: Buffer.from(blob),
      lastWritten: this.clock(),
      persist: 2,
      userName: null,
    });
  }

  async delete(targetName: string): Promise<void> {
    this.calls.push({ op: 'delete', target: targetName });
    if (this.failWith !== undefined) this.#fail('CredDeleteW', this.failWith);
    if (!this.store.delete(this.#id(targetName, CRED_TYPE_GENERIC))) this.#fail('CredDeleteW', WIN32_ERROR.NOT_FOUND);
  }

  async enumerate(filter: string): Promise<WincredCredential[]> {
    this.calls.push({ op: 'enumerate', target: filter });
    if (this.failWith !== undefined) this.#fail('CredEnumerateW', this.failWith);
    if (!filter.endsWith('*')) this.#fail('CredEnumerateW', WIN32_ERROR.INVALID_PARAMETER);
    const prefix = filter.slice(0, -1).toUpperCase();
    const found = [...this.store.values()]
      .filter((credential) => credential.targetName.toUpperCase().startsWith(prefix))
      .map((credential) => ({ type: credential.type, targetName: credential.targetName, lastWritten: credential.lastWritten }));
    if (found.length === 0) this.#fail('CredEnumerateW', WIN32_ERROR.NOT_FOUND);
    return found;
  }
}
