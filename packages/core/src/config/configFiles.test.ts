import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configFilePaths, expandHome, homeDirectory } from './configFiles.js';

describe('configFilePaths: where the AWS config and credentials files are', () => {
  it('defaults to ~/.aws/config and ~/.aws/credentials', () => {
    assert.deepEqual(configFilePaths({}, '/home/u'), {
      configFile: join('/home/u', '.aws', 'config'),
      credentialsFile: join('/home/u', '.aws', 'credentials'),
    });
  });

  it('honours AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, expanding ~/', () => {
    assert.deepEqual(configFilePaths({ AWS_CONFIG_FILE: '~/cfg/aws.ini', AWS_SHARED_CREDENTIALS_FILE: '/etc/creds' }, '/home/u'), {
      configFile: join('/home/u', 'cfg/aws.ini'),
      credentialsFile: '/etc/creds',
    });
  });

  it('treats an empty AWS_CONFIG_FILE as unset', () => {
    assert.equal(configFilePaths({ AWS_CONFIG_FILE: '' }, '/h').configFile, join('/h', '.aws', 'config'));
  });

  it('takes the home directory from HOME, then USERPROFILE, then the OS', () => {
    assert.equal(homeDirectory({ HOME: '/a', USERPROFILE: '/b' }), '/a');
    assert.equal(homeDirectory({ USERPROFILE: '/b' }), '/b');
    assert.equal(homeDirectory({}), homedir());
    assert.equal(configFilePaths({ HOME: '/x' }).configFile, join('/x', '.aws', 'config'));
  });

  it('expands only a leading ~ or ~/ (and ~\\)', () => {
    assert.equal(expandHome('~', '/h'), '/h');
    assert.equal(expandHome('~/a', '/h'), join('/h', 'a'));
    assert.equal(expandHome('~\\a', '/h'), join('/h', 'a'));
    assert.equal(expandHome('~user/a', '/h'), '~user/a');
    assert.equal(expandHome('/x/~/a', '/h'), '/x/~/a');
  });
});
