// A real Salesforce client against the Lockstep demo org: jsforce from npm logs in (OAuth 2.0
// username-password flow), describes, queries 10,000 Opportunities with paging, and updates all of
// them three times — sObject Collections, Bulk API 1.0, Bulk API 2.0 — reading every result.
// Run by tests/e2e/tst_jsforce; the org's URL and credentials come in the environment.
import jsforce from 'jsforce';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const expected = Number(env('LOCKSTEP_EXPECT_RECORDS'));
const check = (condition, message) => {
  if (!condition) throw new Error(`check failed: ${message}`);
};
const seconds = (start) => Number(((Date.now() - start) / 1000).toFixed(2));

const summary = {};
const conn = new jsforce.Connection({
  oauth2: { loginUrl: env('LOCKSTEP_ORG_URL'), clientId: env('LOCKSTEP_CLIENT_ID'), clientSecret: env('LOCKSTEP_CLIENT_SECRET') },
  version: '62.0',
});

let start = Date.now();
const userInfo = await conn.login(env('LOCKSTEP_USERNAME'), env('LOCKSTEP_PASSWORD'));
check(conn.instanceUrl === env('LOCKSTEP_ORG_URL'), `instanceUrl ${conn.instanceUrl}`);
check(userInfo.organizationId.startsWith('00D'), `organizationId ${userInfo.organizationId}`);
const identity = await conn.identity();
check(identity.username === env('LOCKSTEP_USERNAME'), `identity ${JSON.stringify(identity)}`);
summary.login = seconds(start);

const global = await conn.describeGlobal();
check(global.sobjects.some((o) => o.name === 'Opportunity' && o.keyPrefix === '006'), 'describeGlobal lists Opportunity');
const describe = await conn.sobject('Opportunity').describe();
const accountId = describe.fields.find((f) => f.name === 'AccountId');
check(accountId && accountId.type === 'reference' && accountId.referenceTo[0] === 'Account', 'AccountId is a reference to Account');
const limits = await conn.limits();
check(limits.DailyApiRequests.Max > 0, 'limits');

start = Date.now();
const records = [];
await new Promise((resolve, reject) => {
  conn.query('SELECT Id, AccountId, Amount FROM Opportunity')
    .on('record', (r) => records.push(r))
    .on('end', resolve)
    .on('error', reject)
    .run({ autoFetch: true, maxFetch: 1000000 });
});
check(records.length === expected, `query returned ${records.length} of ${expected}`);
check(records.every((r) => r.Id.startsWith('006') && r.AccountId.startsWith('001')), 'records carry Ids');
summary.query = { records: records.length, seconds: seconds(start) };

const countWhere = async (amount) => (await conn.query(`SELECT COUNT() FROM Opportunity WHERE Amount = ${amount}`)).totalSize;

// sObject Collections: jsforce cuts the array into calls of 200.
start = Date.now();
const rest = await conn.sobject('Opportunity').update(records.map((r) => ({ Id: r.Id, Amount: 1 })), { allowRecursive: true, allOrNone: false });
check(rest.length === expected, `collections returned ${rest.length} results`);
const restFailed = rest.filter((r) => !r.success);
check(restFailed.length === 0, `collections failures: ${JSON.stringify(restFailed.slice(0, 3))}`);
check((await countWhere(1)) === expected, 'collections updates are stored');
summary.collections = { results: rest.length, seconds: seconds(start) };

// Bulk API 1.0: one job, one batch of 10,000 rows, results read back.
start = Date.now();
conn.bulk.pollInterval = 250;
conn.bulk.pollTimeout = 600000;
const bulk1 = await conn.bulk.load('Opportunity', 'update', { concurrencyMode: 'Parallel' }, records.map((r) => ({ Id: r.Id, Amount: 2 })));
check(bulk1.length === expected, `bulk 1.0 returned ${bulk1.length} results`);
const bulk1Failed = bulk1.filter((r) => !r.success);
check(bulk1Failed.length === 0, `bulk 1.0 failures: ${JSON.stringify(bulk1Failed.slice(0, 3))}`);
check(bulk1.every((r) => r.id && r.id.startsWith('006')), 'bulk 1.0 results carry Ids');
check((await countWhere(2)) === expected, 'bulk 1.0 updates are stored');
summary.bulk1 = { results: bulk1.length, seconds: seconds(start) };

// Bulk API 2.0: create, upload, UploadComplete, poll, then the result CSVs.
start = Date.now();
const bulk2 = await conn.bulk2.loadAndWaitForResults({
  object: 'Opportunity',
  operation: 'update',
  input: records.map((r) => ({ Id: r.Id, Amount: 3 })),
  pollInterval: 250,
  pollTimeout: 600000,
});
check(bulk2.successfulResults.length === expected, `bulk 2.0 successful ${bulk2.successfulResults.length}`);
check(bulk2.failedResults.length === 0, `bulk 2.0 failed ${bulk2.failedResults.length}`);
check(bulk2.unprocessedRecords.length === 0, `bulk 2.0 unprocessed ${bulk2.unprocessedRecords.length}`);
check(bulk2.successfulResults.every((r) => r.sf__Id.startsWith('006') && r.sf__Created === 'false'), 'bulk 2.0 results carry Ids');
check((await countWhere(3)) === expected, 'bulk 2.0 updates are stored');
summary.bulk2 = { results: bulk2.successfulResults.length, seconds: seconds(start) };

// A session the org no longer knows fails like Salesforce's.
const stale = new jsforce.Connection({ instanceUrl: env('LOCKSTEP_ORG_URL'), accessToken: '00D000000000000!ARstale', version: '62.0' });
let staleError = null;
try {
  await stale.query('SELECT Id FROM Account LIMIT 1');
} catch (e) {
  staleError = e;
}
check(staleError && staleError.errorCode === 'INVALID_SESSION_ID', `stale session error ${staleError && staleError.errorCode}`);

console.log(JSON.stringify({ ok: true, ...summary }));
