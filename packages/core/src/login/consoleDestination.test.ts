import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleSignin } from './consoleDestination.js';

describe('consoleSignin: sign-in endpoint and console destination (ByteNess rules)', () => {
  it('without a region: the us-east-1 commercial endpoint and the global console; --path is ignored', () => {
    assert.deepEqual(consoleSignin({ path: 's3' }), {
      federationUrl: 'https://us-east-1.signin.aws.amazon.com/federation',
      destination: 'https://console.aws.amazon.com/',
      logoutUrl: 'https://us-east-1.signin.aws.amazon.com/oauth',
    });
  });

  const table: Array<[string, string, string]> = [
    ['eu-west-1', 'https://us-east-1.signin.aws.amazon.com/federation', 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1'],
    ['cn-north-1', 'https://signin.amazonaws.cn/federation', 'https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1'],
    ['us-gov-west-1', 'https://signin.amazonaws-us-gov.com/federation', 'https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1'],
    ['eusc-de-east-1', 'https://signin.amazonaws-eusc.eu/federation', 'https://eusc-de-east-1.console.amazonaws-eusc.eu/console/home?region=eusc-de-east-1'],
  ];
  for (const [region, federationUrl, destination] of table) {
    it(`region ${region}`, () => {
      const signin = consoleSignin({ region });
      assert.equal(signin.federationUrl, federationUrl);
      assert.equal(signin.destination, destination);
    });
  }

  it('--path names the service page, with the region', () => {
    assert.equal(consoleSignin({ region: 'eu-central-1', path: 's3' }).destination, 'https://eu-central-1.console.aws.amazon.com/s3?region=eu-central-1');
    assert.equal(consoleSignin({ region: 'eu-central-1', path: '/ec2/home' }).destination, 'https://eu-central-1.console.aws.amazon.com/ec2/home?region=eu-central-1');
  });

  it('a configured endpoint replaces the federation endpoint, not the destination', () => {
    const local = consoleSignin({ region: 'us-east-1', federationEndpoint: 'http://127.0.0.1:4566' });
    assert.equal(local.federationUrl, 'http://127.0.0.1:4566/federation');
    assert.equal(local.logoutUrl, 'http://127.0.0.1:4566/oauth');
    assert.equal(local.destination, 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1');
    assert.equal(consoleSignin({ federationEndpoint: 'https://signin.example/custom/federation/' }).federationUrl, 'https://signin.example/custom/federation');
  });

  it('an endpoint that is not a URL is a one-line error', () => {
    assert.throws(() => consoleSignin({ federationEndpoint: 'not a url' }), { code: 'ENDPOINT_INVALID', message: 'the sign-in endpoint not a url is not a URL' });
  });
});
