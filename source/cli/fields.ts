import type {Attributes, AttributeValue, FieldSpec, ProviderDescription} from '../core/fields.js';
import {type Io, readStdinLine, UsageError} from './io.js';

/**
 * Turns `--field name=value` pairs into typed attributes. A value of `-`
 * is read from standard input and `--field-env name=VAR` takes it from an
 * environment variable, so secrets need not appear in the process listing.
 */
export async function parseFieldArguments(
	description: ProviderDescription,
	pairs: string[],
	envPairs: string[],
	io: Io,
): Promise<Attributes> {
	const attributes: Attributes = {};
	let stdinUsed = false;
	const take = async (pair: string, fromEnv: boolean) => {
		const equals = pair.indexOf('=');
		if (equals <= 0) throw new UsageError(`"${pair}" is not name=value: write ${fromEnv ? '--field-env name=VARIABLE' : '--field name=value'}`);
		const name = pair.slice(0, equals);
		const spec = description.fields.find(f => f.name === name);
		if (!spec) {
			const known = description.fields.map(f => f.name).join(', ');
			throw new UsageError(`${description.label} has no field "${name}": use one of ${known}`);
		}
		let raw = pair.slice(equals + 1);
		if (fromEnv) {
			const value = io.env[raw];
			if (value === undefined) throw new UsageError(`environment variable ${raw} (for field ${name}) is not set`);
			raw = value;
		} else if (raw === '-') {
			if (stdinUsed) throw new UsageError('only one field can be read from standard input ("-")');
			stdinUsed = true;
			raw = await readStdinLine(io);
		}
		attributes[name] = coerceField(spec, raw);
	};
	for (const pair of pairs) await take(pair, false);
	for (const pair of envPairs) await take(pair, true);
	return attributes;
}

export function coerceField(spec: FieldSpec, raw: string): AttributeValue {
	switch (spec.type) {
		case 'boolean': {
			const lower = raw.trim().toLowerCase();
			if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
			if (['0', 'false', 'no', 'off', ''].includes(lower)) return false;
			throw new UsageError(`field ${spec.name} is yes or no (true/false), not "${raw}"`);
		}
		case 'number': {
			const value = Number(raw);
			if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`field ${spec.name} needs a number, not "${raw}"`);
			return value;
		}
		case 'select': {
			if (spec.options && !spec.options.includes(raw)) {
				throw new UsageError(`field ${spec.name} is one of ${spec.options.join(', ')}, not "${raw}"`);
			}
			return raw;
		}
		default:
			return raw;
	}
}

/** Attribute values for display: secrets that are set show as dots. */
export function displayAttributes(description: ProviderDescription | undefined, attributes: Attributes): Record<string, AttributeValue> {
	const shown: Record<string, AttributeValue> = {};
	for (const [name, value] of Object.entries(attributes)) {
		const spec = description?.fields.find(f => f.name === name);
		shown[name] = spec?.secret && value !== '' ? '••••' : value;
	}
	return shown;
}
