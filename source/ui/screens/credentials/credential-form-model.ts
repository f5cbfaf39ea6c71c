import {selectText, type Attributes, type FieldSpec, type ProviderDescription, type ProviderId} from '../../../core/fields.js';
import type {Credential} from '../../../core/model.js';
import type {FormField, FormValues} from '../../components/form/form-state.js';

const attributePrefix = 'attr:';

export function attributeFieldId(name: string): string {
	return attributePrefix + name;
}

function fieldFor(spec: FieldSpec): FormField {
	const id = attributeFieldId(spec.name);
	const label = spec.required ? `${spec.label} *` : spec.label;
	if (spec.type === 'boolean') return {id, label, kind: 'boolean', help: spec.help};
	if (spec.type === 'select') return {id, label, kind: 'select', help: spec.help, choices: (spec.options ?? []).map(o => ({label: o, value: o}))};
	if (spec.secret) return {id, label, kind: 'secret', help: spec.help};
	return {id, label, kind: spec.type === 'number' ? 'number' : 'text', help: spec.help, placeholder: spec.default === undefined ? undefined : String(spec.default)};
}

/** The form's fields for a provider, from its field descriptions (hidden fields left out). */
export function credentialFormFields(providers: Record<ProviderId, ProviderDescription>, provider: ProviderId, adding: boolean): FormField[] {
	const description = providers[provider];
	const fields: FormField[] = [];
	if (adding) {
		fields.push({id: 'name', label: 'Name *', kind: 'text', placeholder: 'e.g. backups-s3'});
		fields.push({id: 'provider', label: 'Provider', kind: 'select', choices: Object.values(providers).map(p => ({label: p.label, value: p.id}))});
	}
	for (const spec of description.fields) if (!spec.hidden) fields.push(fieldFor(spec));
	if (description.oauth) fields.push({id: 'login', label: 'Login to Provider', kind: 'button'});
	fields.push({id: 'verify', label: 'Verify', kind: 'button'}, {id: 'save', label: 'Save', kind: 'button'}, {id: 'cancel', label: 'Cancel', kind: 'button'});
	return fields;
}

/** Form values for a credential being edited, or defaults for a new one. */
export function credentialFormValues(providers: Record<ProviderId, ProviderDescription>, provider: ProviderId, credential?: Credential): FormValues {
	const values: FormValues = {name: credential?.name ?? '', provider};
	for (const spec of providers[provider].fields) {
		const current = credential?.attributes[spec.name] ?? spec.default;
		values[attributeFieldId(spec.name)] = spec.type === 'boolean' ? Boolean(current) : current === undefined ? '' : spec.type === 'select' ? selectText(current) : String(current);
	}
	return values;
}

/** Attributes from the form: numbers parsed, empty optional fields left out, hidden fields kept from `previous`. */
export function attributesFromValues(description: ProviderDescription, values: FormValues, previous: Attributes = {}): {attributes: Attributes; errors: Record<string, string>} {
	const attributes: Attributes = {};
	const errors: Record<string, string> = {};
	for (const spec of description.fields) {
		const id = attributeFieldId(spec.name);
		if (spec.hidden) {
			if (values[id] !== undefined && values[id] !== '') attributes[spec.name] = coerce(spec, values[id]!);
			else if (previous[spec.name] !== undefined) attributes[spec.name] = previous[spec.name]!;
			continue;
		}
		const value = values[id];
		if (spec.type === 'boolean') {
			attributes[spec.name] = Boolean(value);
			continue;
		}
		const text = String(value ?? '').trim();
		if (text === '') {
			if (spec.required) errors[id] = `${spec.label} is required`;
			continue;
		}
		if (spec.type === 'number' && !Number.isFinite(Number(text))) {
			errors[id] = `${spec.label} must be a number`;
			continue;
		}
		attributes[spec.name] = coerce(spec, text);
	}
	return {attributes, errors};
}

function coerce(spec: FieldSpec, value: string | boolean): string | number | boolean {
	if (spec.type === 'number') return Number(value);
	if (spec.type === 'boolean') return value === true || value === 'true';
	return String(value);
}

/** Puts each validation message next to the field it names (by name or label); the rest go on `fallback`. */
export function errorsByField(description: ProviderDescription, messages: string[], fallback: string): Record<string, string> {
	const errors: Record<string, string> = {};
	for (const message of messages) {
		const lower = message.toLowerCase();
		const spec = description.fields.find(f => !f.hidden && (lower.includes(f.name.toLowerCase()) || lower.includes(f.label.toLowerCase())));
		const id = spec ? attributeFieldId(spec.name) : fallback;
		errors[id] ??= message;
	}
	return errors;
}
