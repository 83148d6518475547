/**
 * Parsing of what `/usr/bin/security` prints. The fixtures are written by hand in the shape the tool
 * prints (Apple's SecurityTool sources: print_keychain_item_attributes and print_buffer), because
 * Linux CI has no `security` to capture them from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ATTRIBUTE,
  attributeText,
  classifyFailure,
  decodePrintedValue,
  lastErrorLine,
  parsePasswordLine,
  parsePrintedItems,
  parseTimeDate,
  withoutPasswordLines,
} from './securityOutput.js';

const KC = '/Users/jon/Library/Keychains/aws-vault.keychain-db';

/** `security find-generic-password -s aws-vault -a jonsmith <kc>` for an item aws-vault stored. */
const FIND_OUTPUT = `keychain: "${KC}"
version: 512
class: "genp"
attributes:
    0x00000007 <blob>="aws-vault (jonsmith)"
    0x00000008 <blob>=<NULL>
    "acct"<blob>="jonsmith"
    "cdat"<timedate>=0x32303234303131353130333032345A00  "20240115103024Z\\000"
    "crtr"<uint32>=<NULL>
    "cusi"<sint32>=<NULL>
    "desc"<blob>=<NULL>
    "gena"<blob>=<NULL>
    "icmt"<blob>=<NULL>
    "invi"<sint32>=<NULL>
    "mdat"<timedate>=0x32303234303230313038303930355A00  "20240201080905Z\\000"
    "nega"<sint32>=<NULL>
    "prot"<blob>=<NULL>
    "scrp"<sint32>=<NULL>
    "svce"<blob>="aws-vault"
    "type"<uint32>=<NULL>
`;

/** `security dump-keychain <kc>`: a session, a non-ASCII profile, someone else's password, an internet password and a key. */
const DUMP_OUTPUT = `keychain: "${KC}"
version: 512
class: "genp"
attributes:
    0x00000007 <blob>="aws-vault session for dev (expires 2024-01-01T12:00:00Z)"
    0x00000008 <blob>=<NULL>
    "acct"<blob>="sts.GetSessionToken,ZGV2,,1704110400"
    "cdat"<timedate>=0x32303233313233313132303030305A00  "20231231120000Z\\000"
    "crtr"<uint32>=<NULL>
    "cusi"<sint32>=<NULL>
    "desc"<blob>="aws-vault session"
    "gena"<blob>=<NULL>
    "icmt"<blob>=<NULL>
    "invi"<sint32>=<NULL>
    "mdat"<timedate>=0x32303233313233313132303030305A00  "20231231120000Z\\000"
    "nega"<sint32>=<NULL>
    "prot"<blob>=<NULL>
    "scrp"<sint32>=<NULL>
    "svce"<blob>="aws-vault"
    "type"<uint32>=<NULL>
keychain: "${KC}"
version: 512
class: "genp"
attributes:
    0x00000007 <blob>=0x6177732D7661756C74202870C3B865642D29  "aws-vault (p\\303\\270ed-)"
    0x00000008 <blob>=<NULL>
    "acct"<blob>=0x70C3B865642D  "p\\303\\270ed-"
    "cdat"<timedate>=0x32303233313233313132303030305A00  "20231231120000Z\\000"
    "crtr"<uint32>=<NULL>
    "cusi"<sint32>=<NULL>
    "desc"<blob>=<NULL>
    "gena"<blob>=<NULL>
    "icmt"<blob>=<NULL>
    "invi"<sint32>=<NULL>
    "mdat"<timedate>=0x32303233313233313132303030305A00  "20231231120000Z\\000"
    "nega"<sint32>=<NULL>
    "prot"<blob>=<NULL>
    "scrp"<sint32>=<NULL>
    "svce"<blob>="aws-vault"
    "type"<uint32>=<NULL>
keychain: "${KC}"
version: 512
class: "genp"
attributes:
    0x00000007 <blob>="Wi-Fi"
    0x00000008 <blob>=<NULL>
    "acct"<blob>="home"
    "svce"<blob>="AirPort"
keychain: "${KC}"
version: 512
class: "inet"
attributes:
    0x00000007 <blob>="example.com"
    "acct"<blob>="jon"
    "srvr"<blob>="example.com"
    "svce"<blob>="aws-vault"
keychain: "${KC}"
version: 512
class: 0x0000000F 
attributes:
    0x00000000 <uint32>=0x0000000F 
    0x00000001 <blob>="imported key"
`;

describe('decodePrintedValue', () => {
  it('reads the quoted, hex, hex-and-text, empty and NULL forms', () => {
    assert.equal(Buffer.from(decodePrintedValue('"aws-vault"') as Uint8Array).toString(), 'aws-vault');
    assert.equal(Buffer.from(decodePrintedValue('"say "hi""') as Uint8Array).toString(), 'say "hi"');
    assert.deepEqual([...(decodePrintedValue('0x0A00FF ') as Uint8Array)], [0x0a, 0x00, 0xff]);
    assert.equal(Buffer.from(decodePrintedValue('0x615C62  "a\\134b"') as Uint8Array).toString(), 'a\\b');
    assert.deepEqual(decodePrintedValue(''), new Uint8Array(0));
    assert.equal(decodePrintedValue('<NULL>'), null);
    assert.equal(decodePrintedValue('0x0A0'), undefined);
    assert.equal(decodePrintedValue('garbage'), undefined);
  });
});

describe('parsePrintedItems', () => {
  it('reads one item of find-generic-password', () => {
    const [item, ...rest] = parsePrintedItems(FIND_OUTPUT);
    assert.equal(rest.length, 0);
    assert.ok(item);
    assert.equal(item.keychain, KC);
    assert.equal(item.itemClass, 'genp');
    assert.equal(attributeText(item, ATTRIBUTE.ACCOUNT), 'jonsmith');
    assert.equal(attributeText(item, ATTRIBUTE.SERVICE), 'aws-vault');
    assert.equal(attributeText(item, ATTRIBUTE.LABEL), 'aws-vault (jonsmith)');
    assert.equal(attributeText(item, ATTRIBUTE.DESCRIPTION), undefined);
    assert.deepEqual(parseTimeDate(item.attributes.get(ATTRIBUTE.MODIFIED)), new Date('2024-02-01T08:09:05Z'));
    assert.deepEqual(parseTimeDate(item.attributes.get(ATTRIBUTE.CREATED)), new Date('2024-01-15T10:30:24Z'));
  });

  it('reads every item of dump-keychain, with classes, UTF-8 accounts and labels in hex', () => {
    const items = parsePrintedItems(DUMP_OUTPUT);
    assert.deepEqual(
      items.map((item) => [item.itemClass, attributeText(item, ATTRIBUTE.SERVICE), attributeText(item, ATTRIBUTE.ACCOUNT)]),
      [
        ['genp', 'aws-vault', 'sts.GetSessionToken,ZGV2,,1704110400'],
        ['genp', 'aws-vault', 'pøed-'],
        ['genp', 'AirPort', 'home'],
        ['inet', 'aws-vault', 'jon'],
        ['0x0000000F', undefined, undefined],
      ],
    );
    assert.equal(attributeText(items[0] as never, ATTRIBUTE.DESCRIPTION), 'aws-vault session');
    assert.equal(attributeText(items[1] as never, ATTRIBUTE.LABEL), 'aws-vault (pøed-)');
  });

  it('ignores lines before the first item and CRLF line ends', () => {
    const items = parsePrintedItems(`security: SecKeychainOpen x: warning\n${FIND_OUTPUT.replace(/\n/g, '\r\n')}`);
    assert.equal(items.length, 1);
    assert.equal(attributeText(items[0] as never, ATTRIBUTE.ACCOUNT), 'jonsmith');
  });
});

describe('parseTimeDate', () => {
  it('reads YYYYMMDDhhmmssZ with its NUL and refuses anything else', () => {
    assert.deepEqual(parseTimeDate(Buffer.from('20240229235959Z\0')), new Date('2024-02-29T23:59:59Z'));
    assert.equal(parseTimeDate(Buffer.from('2024-02-29')), undefined);
    assert.equal(parseTimeDate(null), undefined);
  });
});

describe('parsePasswordLine', () => {
  it('reads printable data, data with escapes or non-ASCII bytes, binary data and empty data', () => {
    const json = '{"AccessKeyID":"AKIA","SecretAccessKey":"S"}';
    assert.equal(Buffer.from(parsePasswordLine(`password: "${json}"\n`) as Uint8Array).toString(), json);
    const escaped = '{"Token":"a\\u003cb"}';
    const printed = `password: 0x${Buffer.from(escaped).toString('hex').toUpperCase()}  "{"Token":"a\\134u003cb"}"\n`;
    assert.equal(Buffer.from(parsePasswordLine(printed) as Uint8Array).toString(), escaped);
    assert.deepEqual([...(parsePasswordLine('password: 0x000A01 \n') as Uint8Array)], [0, 10, 1]);
    assert.deepEqual(parsePasswordLine('password: \n'), new Uint8Array(0));
    assert.equal(parsePasswordLine('security: something else\n'), undefined);
  });

  it('is never part of an error line', () => {
    const stderr = 'password: "secret"\nsecurity: SecKeychainItemCopyContent: boom\n';
    assert.equal(withoutPasswordLines(stderr).includes('secret'), false);
    assert.equal(lastErrorLine(stderr), 'security: SecKeychainItemCopyContent: boom');
    assert.equal(lastErrorLine('password: "secret"\n'), undefined);
  });
});

describe('lastErrorLine and classifyFailure', () => {
  it('skips the "returned" line of interactive mode', () => {
    const stderr = 'security: SecKeychainItemCreateFromContent (/k): The specified item already exists in the keychain.\nadd-generic-password: returned -25299\n';
    assert.equal(lastErrorLine(stderr), 'security: SecKeychainItemCreateFromContent (/k): The specified item already exists in the keychain.');
  });

  it('maps statuses first, then English messages', () => {
    assert.equal(classifyFailure(44, ''), 'not-found');
    assert.equal(classifyFailure(45, ''), 'duplicate');
    assert.equal(classifyFailure(36, ''), 'interaction-not-allowed');
    assert.equal(classifyFailure(128, ''), 'cancelled');
    assert.equal(classifyFailure(51, ''), 'auth-failed');
    assert.equal(classifyFailure(1, 'security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.'), 'not-found');
    assert.equal(classifyFailure(1, 'security: SecKeychainSearchCopyNext: The specified keychain could not be found.'), 'other');
    assert.equal(classifyFailure(2, 'Usage: find-generic-password …'), 'other');
    assert.equal(classifyFailure(null, ''), 'other');
  });
});
