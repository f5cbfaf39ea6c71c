/** Describes one credential field; the CLI (`--field name=value`) and the TUI form both read this. */
export type FieldSpec = {
	name: string;
	label: string;
	help: string;
	type: 'string' | 'boolean' | 'number' | 'select';
	/** Encrypted at rest, masked in forms, never logged. */
	secret?: boolean;
	required?: boolean;
	default?: string | number | boolean;
	options?: readonly string[];
	/** Not shown in forms (e.g. `api_url` for tests and proxies); still settable from the CLI. */
	hidden?: boolean;
};

export type ProviderId = 'local' | 's3' | 'dropbox';

export type ProviderDescription = {
	id: ProviderId;
	label: string;
	fields: readonly FieldSpec[];
	/** Whether the provider has a "Login to Provider" (OAuth) flow. */
	oauth?: boolean;
};

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/** A select's value as text; a yes/no choice once stored as a boolean reads as yes or no. */
export function selectText(value: string | number | boolean): string {
	return typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
}
