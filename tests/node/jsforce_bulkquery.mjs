// Bulk queries from a real client: jsforce from npm (OAuth 2.0 username-password flow) reads the
// Opportunities of a seeded demo org through Bulk API 2.0 query (create, poll, CSV results
// joined by Sforce-Locator), Bulk API 2.0 queryAll with a relationship field, and Bulk API 1.0
// query (a SOQL batch, its result list, the result file), and checks them against REST.
// Run by tests/e2e/tst_jsforce_bulkquery; the org's URL and credentials come in the environment.
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
const collect = (stream) =>
  new Promise((resolve, reject) => {
    const records = [];
    stream.on('record', (r) => records.push(r)).on('end', () => resolve(records)).on('error', reject);
  });

const summary = {};
const conn = new jsforce.Connection({
  oauth2: { loginUrl: env('LOCKSTEP_ORG_URL'), clientId: env('LOCKSTEP_CLIENT_ID'), clientSecret: env('LOCKSTEP_CLIENT_SECRET') },
  version: '62.0',
});
await conn.login(env('LOCKSTEP_USERNAME'), env('LOCKSTEP_PASSWORD'));

const rest = await conn.query('SELECT Id, Name, AccountId FROM Opportunity').run({ autoFetch: true, maxFetch: 1000000 });
check(rest.records.length === expected, `REST query returned ${rest.records.length} of ${expected}`);
const byId = new Map(rest.records.map((r) => [r.Id, r]));

// Bulk API 2.0 query: the job is created, polled until JobComplete, its CSV read.
let start = Date.now();
conn.bulk2.pollInterval = 100;
conn.bulk2.pollTimeout = 120000;
const bulk2 = await collect(await conn.bulk2.query('SELECT Id, Name, AccountId FROM Opportunity'));
check(bulk2.length === expected, `bulk 2.0 query returned ${bulk2.length} of ${expected}`);
check(bulk2.every((r) => byId.has(r.Id) && byId.get(r.Id).Name === r.Name && byId.get(r.Id).AccountId === r.AccountId),
  `bulk 2.0 records match REST: ${JSON.stringify(bulk2.slice(0, 2))}`);
summary.bulk2 = { records: bulk2.length, seconds: seconds(start) };

// queryAll and a relationship field. (jsforce parses results as comma-separated whatever
// columnDelimiter it asked for, so other delimiters are tested by tst_demoorg_bulkquery.)
start = Date.now();
const joined = await collect(await conn.bulk2.query("SELECT Id, Account.Name FROM Opportunity WHERE Name LIKE '%'",
  { scanAll: true }));
check(joined.length === expected, `bulk 2.0 queryAll returned ${joined.length}`);
const accountName = (r) => r['Account.Name'] ?? (r.Account && r.Account.Name);
check(joined.every((r) => typeof accountName(r) === 'string' && accountName(r).length > 0),
  `Account.Name in every record: ${JSON.stringify(joined.slice(0, 2))}`);
summary.bulk2QueryAll = { records: joined.length, seconds: seconds(start) };

// Bulk API 1.0 query: a job, the SOQL as its batch, the result list and file.
start = Date.now();
conn.bulk.pollInterval = 100;
conn.bulk.pollTimeout = 120000;
const bulk1 = await collect(await conn.bulk.query('SELECT Id, Name, AccountId FROM Opportunity'));
check(bulk1.length === expected, `bulk 1.0 query returned ${bulk1.length} of ${expected}`);
check(bulk1.every((r) => byId.has(r.Id) && byId.get(r.Id).Name === r.Name), 'bulk 1.0 records match REST');
summary.bulk1 = { records: bulk1.length, seconds: seconds(start) };

// A bad query fails as Salesforce fails it.
let failure = null;
try {
  await collect(await conn.bulk2.query('SELECT NoSuchField FROM Opportunity'));
} catch (e) {
  failure = e;
}
check(failure && failure.errorCode === 'INVALID_FIELD', `bad query error ${failure && (failure.errorCode || failure.message)}`);

console.log(JSON.stringify({ ok: true, ...summary }));
