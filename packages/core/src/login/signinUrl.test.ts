import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleLoginUrl, goQueryEscape, requestSigninToken, signinTokenRequestUrl, type FetchLike } from './signinUrl.js';

const CREDENTIALS = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'se/cr+et=', sessionToken: 'to ken/+=' };
const PREFIX = 'https://us-east-1.signin.aws.amazon.com/federation';

function answering(status: number, body: string, statusText = ''): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const fetch: FetchLike = async (url) => {
    urls.push(url);
    return { status, statusText, text: async () => body };
  };
  return Object.assign(fetch, { urls });
}

describe('goQueryEscape (Go url.QueryEscape)', () => {
  it('keeps unreserved characters, turns spaces into + and escapes the rest in upper-case hex', () => {
    assert.equal(goQueryEscape('AZaz09-_.~'), 'AZaz09-_.~');
    assert.equal(goQueryEscape('a b'), 'a+b');
    assert.equal(goQueryEscape('https://x/y?region=eu-west-1&a=*'), 'https%3A%2F%2Fx%2Fy%3Fregion%3Deu-west-1%26a%3D%2A');
    assert.equal(goQueryEscape('é'), '%C3%A9');
  });
});

describe('getSigninToken', () => {
  it('sends the three credentials as Session JSON, and no SessionDuration', () => {
    const url = new URL(signinTokenRequestUrl(PREFIX, CREDENTIALS));
    assert.equal(`${url.origin}${url.pathname}`, PREFIX);
    assert.deepEqual([...url.searchParams.keys()], ['Action', 'Session']);
    assert.equal(url.searchParams.get('Action'), 'getSigninToken');
    assert.deepEqual(JSON.parse(url.searchParams.get('Session') ?? ''), { sessionId: 'ASIAEXAMPLE', sessionKey: 'se/cr+et=', sessionToken: 'to ken/+=' });
  });

  it('resolves the SigninToken of a 200 answer', async () => {
    const fetch = answering(200, '{"SigninToken":"tok-123"}');
    assert.equal(await requestSigninToken(PREFIX, CREDENTIALS, { fetch }), 'tok-123');
    assert.equal(fetch.urls.length, 1);
  });

  it('a non-200 answer is one line with the status, without the secret or the URL', async () => {
    const logged: string[] = [];
    await assert.rejects(requestSigninToken(PREFIX, CREDENTIALS, { fetch: answering(400, 'bad\nrequest', 'Bad Request'), debug: (line) => logged.push(line) }), (error: Error) => {
      assert.equal(error.message, 'call to getSigninToken failed with 400 Bad Request');
      return true;
    });
    for (const line of logged) {
      assert.doesNotMatch(line, /se\/cr|se%2Fcr|to ken|to\+ken/);
      assert.doesNotMatch(line, /Session=/);
    }
  });

  it('an answer without SigninToken is an error', async () => {
    await assert.rejects(requestSigninToken(PREFIX, CREDENTIALS, { fetch: answering(200, '{}') }), /expected a response with SigninToken/);
    await assert.rejects(requestSigninToken(PREFIX, CREDENTIALS, { fetch: answering(200, '<html>') }), /expected a response with SigninToken/);
  });

  it('a network failure names the endpoint but never the query', async () => {
    const failing: FetchLike = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    };
    await assert.rejects(requestSigninToken(PREFIX, CREDENTIALS, { fetch: failing }), (error: Error) => {
      assert.equal(error.message, `call to getSigninToken at ${PREFIX} failed: ECONNREFUSED`);
      return true;
    });
  });
});

describe('consoleLoginUrl', () => {
  const destination = 'https://eu-west-1.console.aws.amazon.com/s3?region=eu-west-1';
  it('is <prefix>?Action=login&Issuer=aws-vault&Destination=…&SigninToken=…', () => {
    const url = consoleLoginUrl({ federationUrl: PREFIX, destination, signinToken: 'a+b/c' });
    assert.equal(url, `${PREFIX}?Action=login&Issuer=aws-vault&Destination=${goQueryEscape(destination)}&SigninToken=a%2Bb%2Fc`);
    const parsed = new URL(url);
    assert.equal(parsed.searchParams.get('Destination'), destination);
    assert.equal(parsed.searchParams.get('SigninToken'), 'a+b/c');
  });

  it('--auto-logout signs out first and redirects to the login URL intact', () => {
    const login = consoleLoginUrl({ federationUrl: PREFIX, destination, signinToken: 'a+b/c' });
    const url = new URL(consoleLoginUrl({ federationUrl: PREFIX, destination, signinToken: 'a+b/c', autoLogout: true, logoutUrl: 'https://us-east-1.signin.aws.amazon.com/oauth' }));
    assert.equal(`${url.origin}${url.pathname}`, 'https://us-east-1.signin.aws.amazon.com/oauth');
    assert.equal(url.searchParams.get('Action'), 'logout');
    assert.equal(url.searchParams.get('redirect_uri'), login);
  });
});
