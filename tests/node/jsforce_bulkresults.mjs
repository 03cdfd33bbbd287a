// Bulk API 2.0 result files as a real client saves them: jsforce from npm (OAuth 2.0
// username-password flow) updates the Opportunities of a load file through one Bulk API 2.0
// ingest job (create, upload the CSV, UploadComplete, poll until JobComplete), then fetches the
// job's successfulResults, failedResults and unprocessedrecords as raw CSV text — the `raw`
// argument of IngestJobV2's getters, what a jsforce user writes to disk — and saves each, byte
// for byte, in a folder. Run by tests/e2e/tst_jsforce_triage, which triages those files; the
// org's URL and credentials, the load file and the folder come in the environment.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import jsforce from 'jsforce';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const check = (condition, message) => {
  if (!condition) throw new Error(`check failed: ${message}`);
};

try {
  const loadFile = env('LOCKSTEP_LOAD_FILE');
  const outDir = env('LOCKSTEP_OUT_DIR');
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: env('LOCKSTEP_ORG_URL'), clientId: env('LOCKSTEP_CLIENT_ID'), clientSecret: env('LOCKSTEP_CLIENT_SECRET') },
    version: '62.0',
  });
  await conn.login(env('LOCKSTEP_USERNAME'), env('LOCKSTEP_PASSWORD'));

  // The job polls with the BulkV2 object's settings (createJob hands it `this` as its polling
  // options): every 100 ms, so the job is seen complete soon after it is, and a timeout well
  // beyond the few minutes a 20,000-row job takes on a scaled org.
  conn.bulk2.pollInterval = 100;
  conn.bulk2.pollTimeout = 270000;
  const job = conn.bulk2.createJob({ object: 'Opportunity', operation: 'update' });
  await job.open();
  // The load file's text as it is: jsforce streams a string to the job's batches unchanged.
  await job.uploadData(await readFile(loadFile, 'utf8'));
  await job.close();
  // poll() resolves on JobComplete and throws on Failed, Aborted or its timeout.
  await job.poll();
  const info = job.getInfo();
  check(info.state === 'JobComplete', `job ${job.id} is ${info.state}`);

  // With `raw` true each getter asks for 'text/plain' and hands back the response body as text;
  // without it jsforce parses the CSV into objects (and caches them), which is not what a file
  // on disk holds.
  const results = {
    'successfulResults.csv': await job.getSuccessfulResults(true),
    'failedResults.csv': await job.getFailedResults(true),
    'unprocessedrecords.csv': await job.getUnprocessedRecords(true),
  };
  for (const [name, text] of Object.entries(results)) {
    check(typeof text === 'string' && text.length > 0, `${name} is ${typeof text === 'string' ? 'empty' : typeof text}, not CSV text`);
    await writeFile(path.join(outDir, name), text, 'utf8');
  }

  console.log(JSON.stringify({ jobId: info.id, numberRecordsProcessed: info.numberRecordsProcessed, numberRecordsFailed: info.numberRecordsFailed }));
} catch (e) {
  console.error(`jsforce_bulkresults: ${e.errorCode ? `${e.errorCode}: ` : ''}${e.message}`);
  process.exit(1);
}
