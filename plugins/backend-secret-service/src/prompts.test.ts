/**
 * Prompt handling. gnome-keyring without a GUI dismisses every prompt, so the paths where a prompt
 * is answered are exercised against a small fake Secret Service: a dbus-next MessageBus that owns
 * `org.freedesktop.secrets` on its own private bus (no gnome-keyring there) and answers the few
 * methods the backend calls. Only this file uses a fake; everything else runs against gnome-keyring.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import dbus from 'dbus-next';
import { openSecretServiceBackend } from './secretServiceBackend.js';
import type { SecretServiceBackend } from './secretServiceBackend.js';
import { SERVICE, contextFor, startTestBus } from './testBus.test.helper.js';

const COLLECTION = '/org/freedesktop/secrets/collection/awsvault';
const PROMPT_IFACE = 'org.freedesktop.Secret.Prompt';

interface Recorded {
  member: string;
  path: string;
  body: unknown[];
  at: number;
}

/** How the fake answers `Prompt`: complete after a delay, report dismissal, or never answer. */
type PromptMode = 'complete' | 'dismiss' | 'never';

class FakeSecretService {
  readonly calls: Recorded[] = [];
  readonly items = new Map<string, { label: string; attributes: Record<string, string>; secret: unknown[] }>();
  collectionExists = false;
  collectionLocked = false;
  promptMode: PromptMode = 'complete';
  completedAt = 0;
  readonly #prompts = new Map<string, () => dbus.Variant>();
  #nextPrompt = 1;
  #nextItem = 1;

  constructor(private readonly bus: dbus.MessageBus) {
    bus.addMethodHandler((msg: dbus.Message) => this.#handle(msg));
  }

  reset(): void {
    this.calls.length = 0;
    this.items.clear();
    this.collectionExists = false;
    this.collectionLocked = false;
    this.promptMode = 'complete';
    this.completedAt = 0;
  }

  named(member: string): Recorded[] {
    return this.calls.filter((call) => call.member === member);
  }

  #newPrompt(onComplete: () => dbus.Variant): string {
    const path = `/org/freedesktop/secrets/prompt/p${this.#nextPrompt++}`;
    this.#prompts.set(path, onComplete);
    return path;
  }

  #handle(msg: dbus.Message): boolean {
    if (msg.destination !== SERVICE) return false;
    this.calls.push({ member: msg.member, path: msg.path, body: msg.body, at: performance.now() });
    const reply = (signature = '', body: unknown[] = []) => this.bus.send(dbus.Message.newMethodReturn(msg, signature, body));
    // dbus-next 0.10.2's typings declare newError's first parameter as a string; it takes the message.
    const fail = (name: string, text: string) => this.bus.send(dbus.Message.newError(msg as unknown as string, name, text));
    switch (`${msg.interface}.${msg.member}`) {
      case 'org.freedesktop.DBus.Properties.Get': {
        const [iface, name] = msg.body as [string, string];
        if (iface === 'org.freedesktop.Secret.Service' && name === 'Collections') reply('v', [new dbus.Variant('ao', this.collectionExists ? [COLLECTION] : [])]);
        else if (name === 'Label') reply('v', [new dbus.Variant('s', msg.path === COLLECTION ? 'awsvault' : 'x')]);
        else fail('org.freedesktop.DBus.Error.InvalidArgs', `no property ${name}`);
        return true;
      }
      case 'org.freedesktop.Secret.Service.OpenSession':
        reply('vo', [new dbus.Variant('s', ''), '/org/freedesktop/secrets/session/s1']);
        return true;
      case 'org.freedesktop.Secret.Service.CreateCollection':
        reply('oo', [
          '/',
          this.#newPrompt(() => {
            this.collectionExists = true;
            return new dbus.Variant('o', COLLECTION);
          }),
        ]);
        return true;
      case 'org.freedesktop.Secret.Service.Unlock': {
        const [paths] = msg.body as [string[]];
        reply('aoo', [
          [],
          this.#newPrompt(() => {
            this.collectionLocked = false;
            return new dbus.Variant('ao', paths);
          }),
        ]);
        return true;
      }
      case 'org.freedesktop.Secret.Collection.CreateItem': {
        if (this.collectionLocked) {
          fail('org.freedesktop.Secret.Error.IsLocked', 'Cannot create an item in a locked collection');
          return true;
        }
        const [properties, secret] = msg.body as [Record<string, dbus.Variant>, unknown[]];
        const attributes = (properties['org.freedesktop.Secret.Item.Attributes']?.value ?? {}) as Record<string, string>;
        let path = [...this.items].find(([, item]) => item.attributes['profile'] === attributes['profile'])?.[0];
        path ??= `${COLLECTION}/${this.#nextItem++}`;
        this.items.set(path, { label: String(properties['org.freedesktop.Secret.Item.Label']?.value), attributes, secret });
        reply('oo', [path, '/']);
        return true;
      }
      case 'org.freedesktop.Secret.Collection.SearchItems': {
        const [wanted] = msg.body as [Record<string, string>];
        reply('ao', [[...this.items].filter(([, item]) => item.attributes['profile'] === wanted['profile']).map(([path]) => path)]);
        return true;
      }
      case 'org.freedesktop.Secret.Item.Delete': {
        const path = msg.path;
        reply('o', [
          this.#newPrompt(() => {
            this.items.delete(path);
            return new dbus.Variant('s', '');
          }),
        ]);
        return true;
      }
      case `${PROMPT_IFACE}.Prompt`: {
        const complete = this.#prompts.get(msg.path);
        if (complete === undefined) {
          fail('org.freedesktop.Secret.Error.NoSuchObject', 'no such prompt');
          return true;
        }
        reply();
        if (this.promptMode === 'never') return true;
        setTimeout(() => {
          this.completedAt = performance.now();
          const dismissed = this.promptMode === 'dismiss';
          const result = dismissed ? new dbus.Variant('s', '') : complete();
          this.bus.send(dbus.Message.newSignal(msg.path, PROMPT_IFACE, 'Completed', 'bv', [dismissed, result]));
        }, 50);
        return true;
      }
      case `${PROMPT_IFACE}.Dismiss`:
        reply();
        return true;
      default:
        fail('org.freedesktop.DBus.Error.UnknownMethod', `the fake does not implement ${msg.interface}.${msg.member}`);
        return true;
    }
  }
}

const testBus = await startTestBus({ keyring: false });
const serviceBus = dbus.sessionBus({ busAddress: testBus.address });
serviceBus.on('error', () => {});
assert.equal(await serviceBus.requestName(SERVICE, 0), dbus.RequestNameReply.PRIMARY_OWNER);
const fake = new FakeSecretService(serviceBus);
const backends: SecretServiceBackend[] = [];
after(async () => {
  for (const backend of backends) backend.close();
  serviceBus.disconnect();
  await testBus.stop();
});
beforeEach(() => fake.reset());

async function open(promptTimeoutMs?: number): Promise<SecretServiceBackend> {
  const ctx = contextFor({ DBUS_SESSION_BUS_ADDRESS: testBus.address });
  const backend = await openSecretServiceBackend(ctx, promptTimeoutMs === undefined ? {} : { promptTimeoutMs });
  backends.push(backend);
  return backend;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('secret-service prompts (fake service)', () => {
  it('creates a missing collection on the first write, calls Prompt("") and waits for Completed', async () => {
    const backend = await open();
    await backend.set({ key: 'dev', data: bytes('{"AccessKeyID":"A"}') });
    const [create] = fake.named('CreateCollection');
    assert.ok(create);
    assert.equal((create.body[0] as Record<string, dbus.Variant>)['org.freedesktop.Secret.Collection.Label']?.value, 'awsvault');
    assert.equal(create.body[1], '');
    const [prompt] = fake.named('Prompt');
    assert.deepEqual(prompt?.body, ['']);
    const [createItem] = fake.named('CreateItem');
    assert.ok(createItem && createItem.path === COLLECTION);
    assert.ok(createItem.at >= fake.completedAt && fake.completedAt > 0, 'CreateItem was called before the prompt completed');
    const [properties, secret, replace] = createItem.body as [Record<string, dbus.Variant>, unknown[], boolean];
    assert.equal(properties['org.freedesktop.Secret.Item.Label']?.value, 'dev');
    assert.deepEqual(properties['org.freedesktop.Secret.Item.Attributes']?.value, { profile: 'dev' });
    assert.equal(replace, true);
    assert.equal(secret[0], '/org/freedesktop/secrets/session/s1');
    assert.equal((secret[1] as Buffer).length, 0);
    assert.equal(secret[3], 'application/json');
    assert.match((secret[2] as Buffer).toString(), /^\{"Key":"dev","Data":"eyJBY2Nlc3NLZXlJRCI6IkEifQ==",/);
  });

  it('creates the collection once for concurrent first writes', async () => {
    const backend = await open();
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => backend.set({ key, data: bytes(key) })));
    assert.equal(fake.named('CreateCollection').length, 1);
    assert.equal(fake.items.size, 5);
  });

  it('reports a dismissed prompt', async () => {
    fake.promptMode = 'dismiss';
    const backend = await open();
    await assert.rejects(backend.set({ key: 'dev', data: bytes('x') }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SECRET_SERVICE_FAILED');
      assert.match(error.message, /^cannot write item "dev" in Secret Service collection "awsvault": the prompt to create the collection "awsvault" was dismissed/);
      return true;
    });
    assert.equal(fake.named('CreateItem').length, 0);
  });

  it('gives up on an unanswered prompt after the timeout and dismisses it', async () => {
    fake.promptMode = 'never';
    const backend = await open(300);
    const started = performance.now();
    await assert.rejects(backend.set({ key: 'dev', data: bytes('x') }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SECRET_SERVICE_FAILED');
      assert.match(error.message, /the keyring is waiting for a password dialog/);
      return true;
    });
    assert.ok(performance.now() - started < 2000);
    assert.equal(fake.named('Dismiss').length, 1);
  });

  it('unlocks a locked collection through its prompt, then retries the write', async () => {
    fake.collectionExists = true;
    fake.collectionLocked = true;
    const backend = await open();
    await backend.set({ key: 'dev', data: bytes('x') });
    assert.deepEqual(fake.named('Unlock')[0]?.body, [[COLLECTION]]);
    assert.deepEqual(
      fake.calls.map((call) => call.member).filter((member) => ['CreateItem', 'Unlock', 'Prompt'].includes(member)),
      ['CreateItem', 'Unlock', 'Prompt', 'CreateItem'],
    );
    assert.equal(fake.items.size, 1);
  });

  it('waits for the prompt an item deletion returns', async () => {
    fake.collectionExists = true;
    const backend = await open();
    await backend.set({ key: 'dev', data: bytes('x') });
    await backend.remove('dev');
    assert.equal(fake.named('Prompt').length, 1);
    assert.equal(fake.items.size, 0);
  });
});
