// Conformance: persona's event aggregates against ClickHouse 26 itself (chDB,
// ClickHouse in-process), user by user, on random event sets.
//
//   node test/conformance/conformance.js        (run by test/conformance/run.sh)
//
// The same rows go to both: PostgreSQL through psql (PG* from the environment),
// ClickHouse through chDB's file() table function reading the same CSV.  Events
// repeat conditions, satisfy several conditions at once, or none.  Within a
// user every event has its own second: ClickHouse orders equal times by
// arrival, which SQL leaves undefined, while persona orders them by the
// spec's rule (tested by hand in the pgTAP and unit tests).
//
// What is compared (SPEC §3):
//   sequence_match / sequence_count  = sequenceMatch / sequenceCount
//   window_funnel(mode)              = windowFunnel(mode, 'strict_once'):
//       persona counts an event once (the spec's rule), as strict_once does
//   window_funnel_counts             = counts of windowFunnel levels
//   retention, retention_counts      = retention
// Output: TAP lines ("ok N - ...", "not ok N - ...") and the first differing
// users with their events.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const chdb = require('chdb');

const SEED = Number(process.env.CONFORMANCE_SEED || 20261207);
const USERS = Number(process.env.CONFORMANCE_USERS || 3000);
const BASE = 1700000000;		// seconds since the epoch

// mulberry32: a small deterministic generator, so a failure can be replayed
let state = SEED >>> 0;
function rnd() {
	state = (state + 0x6D2B79F5) >>> 0;
	let t = state;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];

// ---------------------------------------------------------------- the events
// Gaps mix seconds, minutes and hours so that time conditions of 60 s to 1 h
// and funnel windows of 10 min to 1 day cut through the data.
// `multi`: some events satisfy two or more conditions; otherwise at most one.
function generate(multi) {
	const rows = [];
	for (let u = 1; u <= USERS; u++) {
		const n = Math.floor(rnd() * rnd() * 40);
		let t = BASE + Math.floor(rnd() * 86400);
		for (let i = 0; i < n; i++) {
			const g = rnd();
			t += g < 0.35 ? 1 + Math.floor(rnd() * 30) : g < 0.75 ? 1 + Math.floor(rnd() * 900) : 1 + Math.floor(rnd() * 7200);
			const k = rnd();
			// none (18%), one condition (60%), two or more (22%, when multi)
			let m = k < 0.18 ? 0 : (k < 0.78 || !multi) ? 1 << Math.floor(rnd() * 4) : 1 + Math.floor(rnd() * 15);
			if (multi && k >= 0.78 && (m & (m - 1)) === 0) m |= 1 << ((Math.log2(m) + 1) % 4);
			rows.push([u, t, m]);
		}
	}
	// rows arrive in time order across users, as a log does
	rows.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
	return rows;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'persona-conformance-'));
fs.chmodSync(tmp, 0o755);
const byUser = new Map();		// table -> user -> "s:mask" list, to show differences

function psql(sql) {
	return execFileSync('psql', ['-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
		{ encoding: 'utf8', maxBuffer: 1 << 28 });
}
// One event set in both systems: a PostgreSQL table and a ClickHouse file().
function load(table, rows) {
	const csv = path.join(tmp, table + '.csv');
	fs.writeFileSync(csv, rows.map(([u, t, m]) => `${u},${t},${m & 1 ? 1 : 0},${m & 2 ? 1 : 0},${m & 4 ? 1 : 0},${m & 8 ? 1 : 0}`).join('\n') + '\n');
	fs.chmodSync(csv, 0o644);
	const users = new Map();
	for (const [u, t, m] of rows) {
		if (!users.has(u)) users.set(u, []);
		users.get(u).push(`${t - BASE}:${m}`);
	}
	byUser.set(table, users);
	psql(`DROP TABLE IF EXISTS ${table};
CREATE TABLE ${table} (u int, t bigint, c1 boolean, c2 boolean, c3 boolean, c4 boolean)`);
	psql(`\\copy ${table} FROM '${csv}' WITH (FORMAT csv)`);
	psql(`ALTER TABLE ${table} ADD COLUMN ts timestamptz;
UPDATE ${table} SET ts = to_timestamp(t);
ANALYZE ${table}`);
	return `file('${csv}', 'CSV', 'u UInt32, t UInt32, c1 UInt8, c2 UInt8, c3 UInt8, c4 UInt8')`;
}
const rowsMulti = generate(true), rowsSingle = generate(false);
const EV = { pg: 'conformance_ev', ch: load('conformance_ev', rowsMulti) };
const EV1 = { pg: 'conformance_ev1', ch: load('conformance_ev1', rowsSingle) };

function ch(sql) {
	return chdb.query(sql, 'TSV');
}

// "u<TAB>value" lines of both sides into maps
function toMap(text, norm) {
	const m = new Map();
	for (const line of text.split('\n')) {
		if (line === '') continue;
		const i = line.indexOf('\t');
		m.set(line.slice(0, i), norm(line.slice(i + 1)));
	}
	return m;
}
const normBool = (v) => (v === 't' || v === '1' ? '1' : v === 'f' || v === '0' ? '0' : v);
const normArray = (v) => v.replace(/[{}\[\]\s]/g, '');

let n = 0, failed = 0;
function compare(name, ev, pgSql, chSql, norm) {
	pgSql = pgSql.replaceAll('EVENTS', ev.pg);
	chSql = chSql.replaceAll('EVENTS', ev.ch);
	n++;
	let a, b;
	try {
		a = toMap(psql(pgSql), norm);
		b = toMap(ch(chSql), norm);
	} catch (e) {
		failed++;
		console.log(`not ok ${n} - ${name}: ${String(e.message || e).split('\n')[0]}`);
		return;
	}
	const diff = [];
	for (const u of new Set([...a.keys(), ...b.keys()]))
		if (a.get(u) !== b.get(u)) diff.push(u);
	if (diff.length === 0 && a.size > 0) {
		console.log(`ok ${n} - ${name} (${a.size} users agree)`);
		return;
	}
	failed++;
	console.log(`not ok ${n} - ${name}: ${diff.length} of ${a.size} users differ${a.size === 0 ? ' (no users at all)' : ''}`);
	for (const u of diff.slice(0, 3))
		console.log(`#   user ${u}: persona ${a.get(u)}, ClickHouse ${b.get(u)}; events (s:mask) ${byUser.get(ev.pg).get(Number(u)).join(' ')}`);
}
function compareTotal(name, ev, pgSql, chSql, norm) {
	pgSql = pgSql.replaceAll('EVENTS', ev.pg);
	chSql = chSql.replaceAll('EVENTS', ev.ch);
	n++;
	let a, b;
	try {
		a = norm(psql(pgSql).trim());
		b = norm(ch(chSql).trim());
	} catch (e) {
		failed++;
		console.log(`not ok ${n} - ${name}: ${String(e.message || e).split('\n')[0]}`);
		return;
	}
	if (a === b) console.log(`ok ${n} - ${name} (${a})`);
	else { failed++; console.log(`not ok ${n} - ${name}: persona ${a}, ClickHouse ${b}`); }
}

const version = ch('SELECT version()').trim();
console.log(`# ClickHouse ${version} (chDB), ${USERS} users in each of two event sets (${rowsMulti.length} events, some satisfying several conditions; ${rowsSingle.length} events satisfying at most one), seed ${SEED}`);

const PG_CONDS = 'ts, c1, c2, c3, c4';
const CH_CONDS = 'toDateTime(t), c1, c2, c3, c4';

// ------------------------------------------------------------- sequences
const patterns = [
	'(?1)(?2)', '(?1).*(?2)', '(?1).(?2)', '(?2).*(?1).*(?3)', '(?1)(?1)', '.(?4)',
	'(?1)(?t<=600)(?2)', '(?1)(?t>=600)(?2)', '(?1)(?t<600)(?2)', '(?1)(?t>600)(?2)', '(?1)(?t==0)(?2)',
	'(?1)(?t<=3600)(?2)(?t>=60)(?3)', '(?3).(?t<=300)(?4)', '(?2)(?t<=900)(?3).*(?1)',
	'(?1)(?t<=60)(?1)', '(?4)(?t>=1800)(?2)(?3)', '(?1).*(?2)(?t<=120)(?3)', '(?1)(?t>=30)(?2)(?t<=600)(?3)(?t>=1)(?4)',
	'(?2)(?t==1)(?2)', '.(?t<=10).',
];
for (const p of patterns) {
	compare(`sequence_match('${p}')`, EV,
		`SELECT u, sequence_match('${p}', ${PG_CONDS}) FROM EVENTS GROUP BY u`,
		`SELECT u, sequenceMatch('${p}')(${CH_CONDS}) FROM EVENTS GROUP BY u`, normBool);
	compare(`sequence_count('${p}')`, EV,
		`SELECT u, sequence_count('${p}', ${PG_CONDS}) FROM EVENTS GROUP BY u`,
		`SELECT u, sequenceCount('${p}')(${CH_CONDS}) FROM EVENTS GROUP BY u`, String);
}

// ---------------------------------------------------------------- funnels
// Where a row satisfies several conditions, persona applies them from the
// highest to the lowest (SPEC §3) while strict_once applies them from the
// lowest up, never twice in one chain.  Without strict_deduplication and
// strict_order the two give the same level; with either, the condition that
// comes first can end the scan, so those modes are compared on the event set
// whose rows satisfy at most one condition, and the rule for the others is
// tested by hand against the SPEC (test/pgtap/events_properties.sql).
const modes = ['', 'strict_deduplication', 'strict_order', 'strict_increase',
	'strict_deduplication,strict_order', 'strict_order,strict_increase',
	'strict_deduplication,strict_increase', 'strict_deduplication,strict_order,strict_increase'];
for (const w of [600, 3600, 86400]) {
	for (const mode of modes) {
		const chModes = ['strict_once', ...mode.split(',').filter((x) => x)].map((x) => `'${x}'`).join(', ');
		const sets = /strict_(deduplication|order)/.test(mode) ? [EV1] : [EV, EV1];
		for (const ev of sets)
			compare(`window_funnel(${w} s, '${mode}') on ${ev.pg}`, ev,
				`SELECT u, window_funnel(interval '${w} seconds', '${mode}', ${PG_CONDS}) FROM EVENTS GROUP BY u`,
				`SELECT u, windowFunnel(${w}, ${chModes})(${CH_CONDS}) FROM EVENTS GROUP BY u`, String);
	}
	compareTotal(`window_funnel_counts(${w} s, 'strict_order') on ${EV1.pg}`, EV1,
		`SELECT window_funnel_counts(u, interval '${w} seconds', 'strict_order', ${PG_CONDS}) FROM EVENTS`,
		`SELECT [countIf(l >= 1), countIf(l >= 2), countIf(l >= 3), countIf(l >= 4)] FROM
		   (SELECT windowFunnel(${w}, 'strict_once', 'strict_order')(${CH_CONDS}) l FROM EVENTS GROUP BY u)`, normArray);
	compareTotal(`window_funnel_counts(${w} s) on ${EV.pg}`, EV,
		`SELECT window_funnel_counts(u, interval '${w} seconds', ${PG_CONDS}) FROM EVENTS`,
		`SELECT [countIf(l >= 1), countIf(l >= 2), countIf(l >= 3), countIf(l >= 4)] FROM
		   (SELECT windowFunnel(${w}, 'strict_once')(${CH_CONDS}) l FROM EVENTS GROUP BY u)`, normArray);
}

// -------------------------------------------------------------- retention
compare('retention(c1, c2, c3, c4)', EV,
	`SELECT u, retention(c1, c2, c3, c4) FROM EVENTS GROUP BY u`,
	`SELECT u, retention(c1, c2, c3, c4) FROM EVENTS GROUP BY u`, normArray);
compare('retention(c3, c1)', EV,
	`SELECT u, retention(c3, c1) FROM EVENTS GROUP BY u`,
	`SELECT u, retention(c3, c1) FROM EVENTS GROUP BY u`, normArray);
compareTotal('retention_counts(u, c1, c2, c3, c4)', EV,
	`SELECT retention_counts(u, c1, c2, c3, c4) FROM EVENTS`,
	`SELECT sumForEach(r) FROM (SELECT retention(c1, c2, c3, c4) r FROM EVENTS GROUP BY u)`, normArray);

psql('DROP TABLE conformance_ev, conformance_ev1');
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`1..${n}`);
console.log(`# ${n - failed} agree, ${failed} differ`);
process.exit(failed ? 1 : 0);
