import {describe, expect, it} from 'vitest';
import {presetSchedule, scheduleProblems} from '../../source/core/schedule.js';
import type {ProviderDescription} from '../../source/core/fields.js';
import {s3Settings} from '../../source/providers/s3-config.js';
import {providers as providerDescriptions} from '../../source/providers/registry.js';
import {attributeFieldId, attributesFromValues, credentialFormFields, credentialFormValues, errorsByField} from '../../source/ui/screens/credentials/credential-form-model.js';
import {sectionRule} from '../../source/ui/components/form/form-view.js';
import {newTaskValues, taskFormFields, taskFromValues, valuesFromTask} from '../../source/ui/screens/task-form/task-form-model.js';

const extra = {scheduleProblems};
const credentials = [
	{name: 'disk', provider: 'local' as const, attributes: {}},
	{name: 's3', provider: 's3' as const, attributes: {}},
];

describe('task form model', () => {
	const filled = () => ({...newTaskValues('disk', presetSchedule('daily')), description: 'Docs', path: '/srv/docs', folder: '/docs/'});

	it('builds a valid task from filled values, trimming the folder', () => {
		const {task, errors} = taskFromValues(filled(), 7, extra);
		expect(errors).toEqual({});
		expect(task).toMatchObject({id: 7, description: 'Docs', credential: 'disk', path: '/srv/docs', folder: 'docs', direction: 'PUSH', transferMode: 'SYNC', transfers: 4});
		expect(task.schedule).toEqual(presetSchedule('daily'));
	});

	it('puts each problem next to its field', () => {
		const values = {...filled(), description: '', path: 'relative/dir', transfers: '100', bwlimit: '10 parsecs', attributes: 'novalue', encryption: true, snapshot: true, direction: 'PULL'};
		const {errors} = taskFromValues(values, 1, extra);
		expect(Object.keys(errors).sort()).toEqual(['attributes', 'bwlimit', 'description', 'encryptionPassword', 'path', 'snapshot', 'transfers']);
		expect(errors.path).toContain('absolute');
		expect(errors.transfers).toContain('1 to 64');
	});

	it('checks the five custom schedule fields one by one', () => {
		const values = {...filled(), schedulePreset: 'custom', minute: '61', hour: '2', dom: '*', month: 'foo', dow: '*'};
		const {errors} = taskFromValues(values, 1, extra);
		expect(errors.minute).toContain('61');
		expect(errors.month).toContain('foo');
		expect(errors.hour).toBeUndefined();
	});

	it('parses filters and provider attributes from lines', () => {
		const values = {...filled(), exclude: '*.tmp\n\n /cache/** ', attributes: 'storage_class=STANDARD_IA\nchunk_size=16\nfast=true'};
		const {task} = taskFromValues(values, 1, extra);
		expect(task.exclude).toEqual(['*.tmp', '/cache/**']);
		expect(task.attributes).toEqual({storage_class: 'STANDARD_IA', chunk_size: 16, fast: true});
		const round = taskFromValues(valuesFromTask(task), 1, extra).task;
		expect(round).toEqual(task);
	});

	it('shows buckets only for S3, the cron fields only for a custom schedule, the advanced fields only when asked', () => {
		const ids = (values: Record<string, string | boolean>, buckets: boolean) => taskFormFields(values, credentials, buckets).map(f => f.id);
		expect(ids(filled(), false)).not.toContain('bucket');
		expect(ids(filled(), true)).toContain('bucket');
		expect(ids(filled(), false)).not.toContain('minute');
		expect(ids({...filled(), schedulePreset: 'custom'}, false)).toEqual(expect.arrayContaining(['minute', 'hour', 'dom', 'month', 'dow']));
		expect(ids(filled(), false)).not.toContain('preScript');
		const advanced = ids({...filled(), advanced: true}, false);
		expect(advanced).toEqual(expect.arrayContaining(['preScript', 'postScript', 'encryption', 'snapshot', 'exclude', 'include', 'transfers', 'bwlimit', 'followSymlinks', 'createEmptySrcDirs', 'attributes']));
		expect(advanced).not.toContain('encryptionPassword');
		expect(ids({...filled(), advanced: true, encryption: true}, false)).toEqual(expect.arrayContaining(['encryptionPassword', 'encryptionSalt', 'filenameEncryption', 'filenameEncoding', 'directoryNameEncryption']));
	});
});

describe('credential form model', () => {
	const description: ProviderDescription = {
		id: 's3',
		label: 'S3',
		fields: [
			{name: 'endpoint', label: 'Endpoint', help: '', type: 'string'},
			{name: 'access_key_id', label: 'Access key ID', help: '', type: 'string', required: true},
			{name: 'secret_access_key', label: 'Secret access key', help: '', type: 'string', secret: true, required: true},
			{name: 'part_size', label: 'Part size', help: '', type: 'number', default: 5},
			{name: 'path_style', label: 'Path style', help: '', type: 'boolean', default: false},
			{name: 'api_url', label: 'API URL', help: '', type: 'string', hidden: true},
		],
	};
	const registry = {local: {id: 'local', label: 'Local', fields: []}, s3: description, dropbox: {id: 'dropbox', label: 'Dropbox', fields: [], oauth: true}} as const;

	it('makes form fields from the provider description: secrets masked, hidden left out, buttons last', () => {
		const fields = credentialFormFields(registry, 's3', true);
		expect(fields.map(f => f.id)).toEqual(['name', 'provider', 'attr:endpoint', 'attr:access_key_id', 'attr:secret_access_key', 'attr:part_size', 'attr:path_style', 'verify', 'save', 'cancel']);
		expect(fields.find(f => f.id === 'attr:secret_access_key')?.kind).toBe('secret');
		expect(credentialFormFields(registry, 'dropbox', false).map(f => f.id)).toContain('login');
	});

	it('turns values into attributes: numbers parsed, required fields checked, hidden ones kept', () => {
		const values = {...credentialFormValues(registry, 's3'), [attributeFieldId('access_key_id')]: 'AK', [attributeFieldId('part_size')]: 'lots'};
		const {attributes, errors} = attributesFromValues(description, values, {api_url: 'http://127.0.0.1:9'});
		expect(errors).toEqual({'attr:secret_access_key': 'Secret access key is required', 'attr:part_size': 'Part size must be a number'});
		expect(attributes).toMatchObject({access_key_id: 'AK', path_style: false, api_url: 'http://127.0.0.1:9'});
		expect(errorsByField(description, ['the endpoint must be a URL', 'something general'], 'verify')).toEqual({'attr:endpoint': 'the endpoint must be a URL', verify: 'something general'});
	});

	it('an S3 credential saved from an untouched form leaves legacy checksums on auto, so a MinIO endpoint gets them', () => {
		const values = {
			...credentialFormValues(providerDescriptions, 's3'),
			[attributeFieldId('preset')]: 'minio',
			[attributeFieldId('endpoint')]: 'http://minio.lan:9000',
			[attributeFieldId('access_key_id')]: 'AK',
			[attributeFieldId('secret_access_key')]: 'SK',
		};
		const {attributes, errors} = attributesFromValues(providerDescriptions.s3, values);
		expect(errors).toEqual({});
		expect(attributes.legacy_checksums).toBe('auto');
		expect(s3Settings(attributes).legacyChecksums).toBe(true);
		// A credential saved before there was an auto shows its boolean as yes or no.
		expect(credentialFormValues(providerDescriptions, 's3', {name: 'old', provider: 's3', attributes: {legacy_checksums: false}} as never)[attributeFieldId('legacy_checksums')]).toBe('no');
	});
});

describe('form sections', () => {
	it('draw a rule with a space on each side of the title, across the width, cut with … when narrow', () => {
		expect(sectionRule('Scripts', 20)).toBe('── Scripts ─────────');
		expect(sectionRule('Scripts', 12)).toBe('── Scripts ─');
		expect(sectionRule('Encryption', 8)).toBe('── Encr…');
		expect([...sectionRule('Transfer', 80)]).toHaveLength(80);
	});
});
