import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRoleRoute, requestPath, roleArnFromPath } from './requestPath.js';

const ARN = 'arn:aws:iam::123456789012:role/deploy';

describe('requestPath', () => {
  it('returns the decoded path and drops the query', () => {
    assert.equal(requestPath('/'), '/');
    assert.equal(requestPath('/x?y=1'), '/x');
    assert.equal(requestPath('/role-arn/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy'), `/role-arn/${ARN}`);
    assert.equal(requestPath('/latest/meta-data/iam/security-credentials/'), '/latest/meta-data/iam/security-credentials/');
  });

  it('refuses dot segments, empty segments, double encoding, bad escapes and absolute targets', () => {
    for (const target of [
      undefined, '', '*', 'http://evil.example/', 'x/y', '/..', '/../', '/a/../b', '/./a', '/a/.', '//', '//role-arn/x', '/a//b',
      '/role-arn/%2e%2e', '/role-arn/%2E%2E/', '/role-arn/.%2e/x', '/%2e%2e/x', '/a%2F..%2Fb', '/role-arn/%252e%252e', '/x%25', '/%zz', '/%',
      '/a\\b', '/a%5c..', '/a%00b', `/${'a'.repeat(5000)}`,
    ]) {
      assert.equal(requestPath(target), undefined, String(target));
    }
  });
});

describe('roleArnFromPath', () => {
  it('accepts role ARNs of any partition, with paths', () => {
    assert.equal(roleArnFromPath(`/role-arn/${ARN}`), ARN);
    assert.equal(roleArnFromPath('/role-arn/arn:aws-us-gov:iam::123456789012:role/ops/team/Deploy+Role=x,y.z@w-1'), 'arn:aws-us-gov:iam::123456789012:role/ops/team/Deploy+Role=x,y.z@w-1');
    assert.equal(roleArnFromPath('/role-arn/arn:aws-cn:iam::123456789012:role/r'), 'arn:aws-cn:iam::123456789012:role/r');
  });

  it('refuses anything that is not a role ARN', () => {
    for (const path of [
      '/role-arn/', '/role-arn/not-an-arn', '/role-arn/..', '/role-arn/arn:aws:iam::123456789012:role/..', '/role-arn/arn:aws:iam::123456789012:role/../admin',
      '/role-arn/arn:aws:iam::123456789012:role/a/./b', '/role-arn/arn:aws:iam::123456789012:user/alice', '/role-arn/arn:aws:iam::12345678901:role/x',
      '/role-arn/arn:aws:sts::123456789012:role/x', '/role-arn/arn:aws:iam:us-east-1:123456789012:role/x', '/role-arn/arn:aws:iam::123456789012:role/',
      '/role-arn/arn:aws:iam::123456789012:role/*', '/role-arn/arn:aws:iam::123456789012:role/x y', '/role-arn/arn:aws:iam::123456789012:role/x%41',
      `/role-arn/arn:aws:iam::123456789012:role/${'a'.repeat(65)}`, '/role-arn/ARN:AWS:IAM::123456789012:ROLE/x', '/role-arn/arn:aws:iam::123456789012:role/x\n',
    ]) {
      assert.equal(roleArnFromPath(path), undefined, path);
    }
  });

  it('knows which paths belong to the role route', () => {
    assert.equal(isRoleRoute('/role-arn'), true);
    assert.equal(isRoleRoute('/role-arn/x'), true);
    assert.equal(isRoleRoute('/role-arnx'), false);
    assert.equal(isRoleRoute('/'), false);
  });
});
