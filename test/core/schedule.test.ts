import {CronExpressionParser} from 'cron-parser';
import {describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import type {Schedule} from '../../source/core/model.js';
import {
	defaultSchedule,
	describeSchedule,
	localTimeZone,
	nextRun,
	nextRuns,
	parseScheduleOption,
	presetSchedule,
	scheduleFromCron,
	scheduleProblem,
	scheduleProblems,
	scheduleToCron,
	timeZoneProblem,
} from '../../source/core/schedule.js';

const cron = (line: string) => scheduleFromCron(line);
const iso = (dates: Date[]) => dates.map(date => date.toISOString());
const custom = (fields: Partial<Schedule>): Schedule => ({...presetSchedule('custom'), preset: 'custom', ...fields});

function usageMessage(action: () => unknown): string {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(CloudSyncError);
		expect((error as CloudSyncError).kind).toBe('usage');
		return (error as Error).message;
	}
	throw new Error('expected a usage error');
}

describe('presets', () => {
	it('have the cron lines of the issue, daily by default', () => {
		expect(scheduleToCron(presetSchedule('hourly'))).toBe('0 * * * *');
		expect(scheduleToCron(presetSchedule('daily'))).toBe('0 0 * * *');
		expect(scheduleToCron(presetSchedule('weekly'))).toBe('0 0 * * sun');
		expect(scheduleToCron(presetSchedule('monthly'))).toBe('0 0 1 * *');
		expect(defaultSchedule).toEqual({preset: 'daily', minute: '0', hour: '0', dom: '*', month: '*', dow: '*'});
		expect(presetSchedule('custom')).toMatchObject({preset: 'custom', minute: '0', hour: '0'});
		expect(presetSchedule()).toEqual(defaultSchedule);
	});

	it('come back from the --schedule option, by name or by a line that means the same', () => {
		expect(parseScheduleOption('hourly')).toEqual(presetSchedule('hourly'));
		expect(parseScheduleOption(' Weekly ')).toEqual(presetSchedule('weekly'));
		expect(parseScheduleOption('@monthly')).toEqual(presetSchedule('monthly'));
		expect(parseScheduleOption('@midnight')).toEqual(presetSchedule('daily'));
		expect(parseScheduleOption('0 0 * * 0')).toEqual(presetSchedule('weekly'));
		expect(parseScheduleOption('0 0 * * 7')).toEqual(presetSchedule('weekly'));
		expect(parseScheduleOption('00 0 * * *')).toEqual(presetSchedule('daily'));
		expect(parseScheduleOption('30  2 * * 1-5')).toEqual({preset: 'custom', minute: '30', hour: '2', dom: '*', month: '*', dow: '1-5'});
		expect(scheduleFromCron('0 0 1 * mon').preset).toBe('custom');
	});

	it('round-trip through scheduleToCron', () => {
		for (const line of ['*/5 1-3 1,15 jan-mar mon-fri', '0 12 * * *', '59 23 31 12 6']) {
			expect(scheduleToCron(scheduleFromCron(line))).toBe(line);
		}
	});
});

describe('validation', () => {
	const syntax = {
		minute: 'use 0-59, a list "1,5", a range "1-5", a step "*/2" or "*"',
		hour: 'use 0-23, a list "1,5", a range "1-5", a step "*/2" or "*"',
		dom: 'use 1-31, a list "1,5", a range "1-5", a step "*/2" or "*"',
		month: 'use 1-12 or jan-dec, a list "1,5", a range "1-5", a step "*/2" or "*"',
		dow: 'use 0-7 (0 and 7 are Sunday) or sun-sat, a list "1,5", a range "mon-fri", a step "*/2" or "*"',
	};

	it('names the field, the bad part and the accepted syntax', () => {
		expect(scheduleProblem(custom({hour: '25'}))).toBe(`hour "25" is out of range: ${syntax.hour}`);
		const cases: [Partial<Schedule>, keyof typeof syntax, string][] = [
			[{minute: '60'}, 'minute', 'minute "60" is out of range'],
			[{minute: '1,70'}, 'minute', 'minute "70" is out of range'],
			[{minute: '5-1'}, 'minute', 'minute range "5-1" goes backwards'],
			[{minute: '*/0'}, 'minute', 'minute step "*/0" must be at least 1'],
			[{minute: '*/x'}, 'minute', 'minute step "*/x" needs a whole number after "/"'],
			[{minute: '*/5/2'}, 'minute', 'minute "*/5/2" is not valid'],
			[{minute: '1,,2'}, 'minute', 'minute "1,,2" has an empty list item'],
			[{minute: '+1'}, 'minute', 'minute "+1" is not valid'],
			[{minute: '1.5'}, 'minute', 'minute "1.5" is not valid'],
			[{minute: 'H'}, 'minute', 'minute "H" is not valid'],
			[{minute: ''}, 'minute', 'minute is empty'],
			[{minute: '1,'.repeat(60)}, 'minute', 'minute is longer than 100 characters'],
			[{hour: '24'}, 'hour', 'hour "24" is out of range'],
			[{hour: '1-2-3'}, 'hour', 'hour "1-2-3" is not valid'],
			[{hour: '-'}, 'hour', 'hour "-" is not valid'],
			[{hour: 'mon'}, 'hour', 'hour "mon" is not valid'],
			[{dom: '0'}, 'dom', 'day of month "0" is out of range'],
			[{dom: '32'}, 'dom', 'day of month "32" is out of range'],
			[{dom: 'L'}, 'dom', 'day of month "L" is not valid'],
			[{dom: '?'}, 'dom', 'day of month "?" is not valid'],
			[{dom: '20-10/2'}, 'dom', 'day of month range "20-10/2" goes backwards'],
			[{month: '13'}, 'month', 'month "13" is out of range'],
			[{month: '0'}, 'month', 'month "0" is out of range'],
			[{month: 'foo'}, 'month', 'month "foo" is not valid'],
			[{month: 'dec-jan'}, 'month', 'month range "dec-jan" goes backwards'],
			[{month: 'sun'}, 'month', 'month "sun" is not valid'],
			[{dow: '8'}, 'dow', 'day of week "8" is out of range'],
			[{dow: 'funday'}, 'dow', 'day of week "funday" is not valid'],
			[{dow: '1#2'}, 'dow', 'day of week "1#2" is not valid'],
			[{dow: 'fri-mon'}, 'dow', 'day of week range "fri-mon" goes backwards'],
			[{dow: 'jan'}, 'dow', 'day of week "jan" is not valid'],
		];
		for (const [fields, field, start] of cases) {
			const problems = scheduleProblems(custom(fields));
			expect(Object.keys(problems), JSON.stringify(fields)).toEqual([field]);
			expect(problems[field]).toBe(`${start}: ${syntax[field]}`);
		}
	});

	it('reports every bad field at once for the form', () => {
		const problems = scheduleProblems({preset: 'custom', minute: '61', hour: '25', dom: '0', month: '13', dow: 'funday'});
		expect(Object.keys(problems).sort()).toEqual(['dom', 'dow', 'hour', 'minute', 'month']);
		expect(scheduleProblem({preset: 'custom', minute: '61', hour: '25', dom: '0', month: '13', dow: 'funday'})).toMatch(/^minute "61"/);
	});

	it('rejects a day of month that never occurs in the chosen months', () => {
		expect(scheduleProblems(custom({dom: '30', month: '2'}))).toEqual({
			dom: 'day of month "30" never occurs in February: pick days those months have, or "*"',
		});
		expect(scheduleProblem(custom({dom: '31', month: 'feb,apr'}))).toBe('day of month "31" never occurs in February or April: pick days those months have, or "*"');
		expect(scheduleProblem(custom({dom: '29', month: '2'}))).toBeUndefined();
		expect(scheduleProblem(custom({dom: '31', month: '1,2'}))).toBeUndefined();
	});

	it('accepts the usual cron syntax', () => {
		for (const line of ['* * * * *', '*/15 0-6/2 1,15,31 JAN-mar,Dec MON-fri', '3/5 * * * *', '0 0 * * 0-7', '01 02 03 04 05', '0-59/100 * * * *']) {
			expect(scheduleProblem(cron(line)), line).toBeUndefined();
		}
	});

	it('explains a line with the wrong number of fields or nothing in it', () => {
		expect(usageMessage(() => parseScheduleOption(''))).toBe('the schedule is empty: use hourly, daily, weekly, monthly or a cron line like "30 2 * * 1-5"');
		expect(usageMessage(() => parseScheduleOption('   '))).toMatch(/^the schedule is empty/);
		expect(usageMessage(() => parseScheduleOption('0 0 * *'))).toBe(
			'a cron line has five fields (minute hour day-of-month month day-of-week), but "0 0 * *" has 4: write it like "30 2 * * 1-5"',
		);
		expect(usageMessage(() => parseScheduleOption('0 0 0 * * *'))).toMatch(/five fields .* has 6/);
		expect(usageMessage(() => parseScheduleOption('every day'))).toBe('the schedule "every day" is neither a preset nor a cron line: use hourly, daily, weekly, monthly or a cron line like "30 2 * * 1-5"');
		expect(usageMessage(() => parseScheduleOption('@reboot'))).toMatch(/^the schedule "@reboot" is neither a preset nor a cron line/);
		expect(usageMessage(() => parseScheduleOption('0 25 * * *'))).toBe('hour "25" is out of range: use 0-23, a list "1,5", a range "1-5", a step "*/2" or "*"');
	});
});

describe('describeSchedule', () => {
	it('says each schedule in words', () => {
		const table: [string, string][] = [
			['0 0 * * *', 'daily at 00:00'],
			['0 * * * *', 'hourly at :00'],
			['0 0 * * sun', 'weekly on Sunday at 00:00'],
			['0 0 1 * *', 'monthly on day 1 at 00:00'],
			['30 2 * * 1-5', 'at 02:30 on Mon-Fri'],
			['30 2 * * *', 'daily at 02:30'],
			['15 * * * *', 'hourly at :15'],
			['0 3 * * fri', 'weekly on Friday at 03:00'],
			['0 4 15 * *', 'monthly on day 15 at 04:00'],
			['*/15 * * * *', 'every 15 minutes'],
			['* * * * *', 'every minute'],
			['5 */2 * * *', 'every 2 hours at :05'],
			['0 8,20 * * *', 'daily at 08:00 and 20:00'],
			['30 2 1,15 * *', 'at 02:30 on days 1 and 15'],
			['0 0 1 * mon', 'at 00:00 on day 1 or Monday'],
			['0 9 * 1-3 mon', 'at 09:00 on Monday in Jan-Mar'],
			['0 0 1 1 *', 'yearly on January 1 at 00:00'],
			['0 0 * * 0,6', 'at 00:00 on Sun and Sat'],
			['0 0 * * 1,3,5', 'at 00:00 on Mon, Wed and Fri'],
			['*/10 * * * 1-5', 'every 10 minutes on Mon-Fri'],
			['0 0 * 6 *', 'at 00:00 in June'],
			['1-5 * * * *', 'cron 1-5 * * * *'],
			['*/7 * * * *', 'cron */7 * * * *'],
			['0 1,3,5,7,9 * * *', 'cron 0 1,3,5,7,9 * * *'],
		];
		for (const [line, words] of table) expect(describeSchedule(cron(line)), line).toBe(words);
	});

	it('marks a schedule that is not valid instead of throwing', () => {
		expect(describeSchedule(custom({hour: '25'}))).toBe('cron 0 25 * * * (not valid)');
	});
});

describe('nextRuns', () => {
	const utc = (text: string) => new Date(`${text}Z`);

	it('lists the next five times after (never at) the start', () => {
		expect(iso(nextRuns(cron('0 0 * * *'), utc('2026-01-01T00:00:00'), undefined, 'UTC'))).toEqual([
			'2026-01-02T00:00:00.000Z',
			'2026-01-03T00:00:00.000Z',
			'2026-01-04T00:00:00.000Z',
			'2026-01-05T00:00:00.000Z',
			'2026-01-06T00:00:00.000Z',
		]);
		expect(iso(nextRuns(cron('0 0 * * *'), utc('2025-12-31T23:59:59.999'), 1, 'UTC'))).toEqual(['2026-01-01T00:00:00.000Z']);
		expect(nextRun(cron('*/20 * * * *'), utc('2026-01-01T10:05:30'), 'UTC')?.toISOString()).toBe('2026-01-01T10:20:00.000Z');
		expect(nextRuns(cron('0 0 * * *'), new Date(), 0)).toEqual([]);
	});

	it('uses OR of day of month and day of week when both are restricted', () => {
		// 2026-02-01 is a Sunday; Mondays are the 2nd, 9th, ...
		expect(iso(nextRuns(cron('0 0 1,15 * mon'), utc('2026-01-31T12:00:00'), 4, 'UTC'))).toEqual([
			'2026-02-01T00:00:00.000Z',
			'2026-02-02T00:00:00.000Z',
			'2026-02-09T00:00:00.000Z',
			'2026-02-15T00:00:00.000Z',
		]);
		expect(iso(nextRuns(cron('0 0 29 2 *'), utc('2026-01-01T00:00:00'), 2, 'UTC'))).toEqual(['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']);
	});

	it('agrees with cron-parser where no clock change is involved', () => {
		const lines = ['*/7 3-5 * * *', '0 0 1,15 * mon', '30 2 * * 1-5', '0 0 * * 0', '5 4 */3 feb-apr *', '0 12 31 * *', '59 23 * * 6', '0 */5 1-7 * 1'];
		for (const zone of ['UTC', 'Asia/Kolkata', 'America/New_York']) {
			const from = new Date('2026-05-03T07:12:34Z');
			for (const line of lines) {
				const expression = CronExpressionParser.parse(line, {currentDate: from, tz: zone});
				const expected = expression.take(8).map(date => date.toDate().toISOString());
				expect(iso(nextRuns(cron(line), from, 8, zone)), `${line} in ${zone}`).toEqual(expected);
			}
		}
	});

	it('follows the local zone when none is given', () => {
		const from = new Date('2026-07-01T00:00:00Z');
		expect(nextRuns(cron('30 2 * * *'), from, 3)).toEqual(nextRuns(cron('30 2 * * *'), from, 3, localTimeZone()));
	});

	it('refuses an unknown time zone in one sentence', () => {
		expect(timeZoneProblem('Europe/Berlin')).toBeUndefined();
		expect(usageMessage(() => nextRuns(defaultSchedule, new Date(), 1, 'Mars/Olympus'))).toBe(
			'time zone "Mars/Olympus" is not known: use an IANA name like "Europe/Berlin" or "UTC"',
		);
		expect(usageMessage(() => nextRuns(custom({minute: '99'}), new Date(), 1, 'UTC'))).toMatch(/^minute "99" is out of range/);
	});
});

describe('daylight saving', () => {
	// Rule: a local time in the spring-forward gap runs once, shifted by the
	// gap (02:30 -> 03:30); a local time that happens twice runs once, at its
	// first occurrence, unless the hour field is every hour.
	it('Berlin spring forward: 02:30 runs at 03:30 CEST once', () => {
		const runs = iso(nextRuns(cron('30 2 * * *'), new Date('2026-03-27T12:00:00Z'), 4, 'Europe/Berlin'));
		expect(runs).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
	});

	it('Berlin spring forward: a time and its shifted twin run once', () => {
		const runs = iso(nextRuns(cron('30 2,3 * * *'), new Date('2026-03-29T00:00:00Z'), 3, 'Europe/Berlin'));
		expect(runs).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-30T01:30:00.000Z']);
	});

	it('Berlin fall back: 02:30 runs once, in summer time', () => {
		const runs = iso(nextRuns(cron('30 2 * * *'), new Date('2026-10-24T12:00:00Z'), 3, 'Europe/Berlin'));
		expect(runs).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']);
	});

	it('Berlin hourly: 23 runs on the short day, 25 on the long one, each an hour apart', () => {
		for (const [day, offset, count] of [['2026-03-29', '+01:00', 23], ['2026-10-25', '+02:00', 25]] as const) {
			const start = new Date(`${day}T00:00:00${offset}`);
			const end = start.getTime() + 30 * 3600_000;
			const runs = nextRuns(presetSchedule('hourly'), new Date(start.getTime() - 1), 40, 'Europe/Berlin')
				.map(date => date.getTime())
				.filter(time => time < end);
			const sameDay = runs.filter(time => new Date(time).toLocaleDateString('en-CA', {timeZone: 'Europe/Berlin'}) === day);
			expect(sameDay).toHaveLength(count);
			for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBe(3600_000);
		}
	});

	it('New York spring forward and fall back', () => {
		expect(iso(nextRuns(cron('30 2 * * *'), new Date('2026-03-07T12:00:00Z'), 2, 'America/New_York'))).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
		expect(iso(nextRuns(cron('30 1 * * *'), new Date('2026-10-31T12:00:00Z'), 2, 'America/New_York'))).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
		// Every hour: both real 01:59s run.
		expect(iso(nextRuns(cron('59 * * * *'), new Date('2026-11-01T04:00:00Z'), 4, 'America/New_York'))).toEqual([
			'2026-11-01T04:59:00.000Z',
			'2026-11-01T05:59:00.000Z',
			'2026-11-01T06:59:00.000Z',
			'2026-11-01T07:59:00.000Z',
		]);
		// A fixed hour: the repeated 01:xx runs only in its first pass.
		const firstPass = nextRuns(cron('* 1 * * *'), new Date('2026-11-01T04:00:00Z'), 61, 'America/New_York');
		expect(firstPass[0]!.toISOString()).toBe('2026-11-01T05:00:00.000Z');
		expect(firstPass[59]!.toISOString()).toBe('2026-11-01T05:59:00.000Z');
		expect(firstPass[60]!.toISOString()).toBe('2026-11-02T06:00:00.000Z');
	});

	it('gives the same times wherever the search starts, even inside the gap or the repeated hour', () => {
		const cases: [string, string, string][] = [
			['Europe/Berlin', '30 2 * * *', '2026-03-28T00:00:00Z'],
			['Europe/Berlin', '30 2 * * *', '2026-10-24T00:00:00Z'],
			['Europe/Berlin', '*/20 2 * * *', '2026-10-24T00:00:00Z'],
			['America/New_York', '15 1,2 * * *', '2026-11-01T00:00:00Z'],
			['America/New_York', '45 2 * * *', '2026-03-07T00:00:00Z'],
		];
		for (const [zone, line, start] of cases) {
			const all = nextRuns(cron(line), new Date(start), 12, zone).map(date => date.getTime());
			for (let probe = new Date(start).getTime(); probe < all[4]!; probe += 25 * 60_000) {
				const expected = all.filter(time => time > probe).slice(0, 3);
				expect(nextRuns(cron(line), new Date(probe), 3, zone).map(date => date.getTime()), `${line} ${zone} from ${new Date(probe).toISOString()}`).toEqual(expected);
			}
		}
	});
});

it('the local time zone follows TZ when it changes (the lookup is cached per TZ)', () => {
	const before = process.env.TZ;
	try {
		process.env.TZ = 'America/New_York';
		expect(localTimeZone()).toBe('America/New_York');
		expect(localTimeZone()).toBe('America/New_York');
		process.env.TZ = 'Europe/Berlin';
		expect(localTimeZone()).toBe('Europe/Berlin');
	} finally {
		if (before === undefined) delete process.env.TZ;
		else process.env.TZ = before;
	}
});

it("the machine's zone (no zone given) runs at the same instants as that zone named, through DST changes", () => {
	const before = process.env.TZ;
	const lines = ['30 2 * * *', '59 * * * *', '*/20 1-3 * * *', '0 0 1 * *', '15 3 * * 0'];
	const starts = ['2026-03-07T00:00:00Z', '2026-03-27T12:00:00Z', '2026-10-03T09:00:00Z', '2026-10-24T00:00:00Z', '2026-10-31T12:00:00Z'];
	try {
		for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC']) {
			process.env.TZ = zone;
			for (const line of lines) {
				for (const start of starts) {
					const named = iso(nextRuns(cron(line), new Date(start), 30, zone));
					expect(iso(nextRuns(cron(line), new Date(start), 30)), `${line} in ${zone} from ${start}`).toEqual(named);
				}
			}
		}
	} finally {
		if (before === undefined) delete process.env.TZ;
		else process.env.TZ = before;
	}
});
