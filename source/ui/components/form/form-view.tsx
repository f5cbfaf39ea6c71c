import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {fit} from '../../format.js';
import type {Theme} from '../../theme.js';
import {wrap} from '../dialog.js';
import {ChoiceList} from '../select-field.js';
import {TextField} from '../text-field.js';
import {lines, withLine, type FormField, type FormState} from './form-state.js';

export type FormViewProps = {
	fields: readonly FormField[];
	state: FormState;
	width: number;
	height: number;
	theme: Theme;
	/** False while a dialog covers the form. */
	keyboard: boolean;
	onChange(id: string, value: string | boolean): void;
	/** Extra lines under a field (a preview, an explanation). */
	extra?(field: FormField): string[];
	labelWidth?: number;
};

type Line = {key: string; field: string; node: ReactNode};

/**
 * Draws the fields one per line (more for multi-line values, errors, open
 * lists), scrolled so the focused field is always in view.
 */
export function FormView({fields, state, width, height, theme, keyboard, onChange, extra, labelWidth = 20}: FormViewProps) {
	const all: Line[] = [];
	const valueWidth = Math.max(10, width - labelWidth - 4);
	for (let i = 0; i < fields.length; i++) {
		const field = fields[i]!;
		const focused = field.id === state.focus;
		const marker = focused ? '› ' : '  ';
		const labelStyle = focused ? {...theme.selection, bold: true} : {};
		if (field.kind === 'heading') {
			all.push({key: field.id, field: field.id, node: <Text bold color={theme.accent}>{sectionRule(field.label, width - 1)}</Text>});
			continue;
		}
		if (field.kind === 'button') {
			// Consecutive buttons share one line.
			const group: FormField[] = [field];
			while (fields[i + 1]?.kind === 'button') group.push(fields[++i]!);
			all.push({
				key: group.map(b => b.id).join('+'),
				field: group.find(b => b.id === state.focus)?.id ?? field.id,
				node: (
					<Box gap={1} marginLeft={1}>
						{group.map(button => (
							<Text key={button.id}>
								{button.id === state.focus ? '›' : ' '}
								<Text {...(button.id === state.focus ? {...theme.selection, bold: true} : {})}>{`[ ${button.label} ]`}</Text>
							</Text>
						))}
					</Box>
				),
			});
			continue;
		}
		const value = state.values[field.id];
		const label = <Text {...labelStyle}>{fit(field.label, labelWidth)}</Text>;
		if (field.kind === 'multiline') {
			const rows = lines(value);
			rows.forEach((row, n) => {
				const editing = focused && keyboard && n === state.line;
				all.push({
					key: `${field.id}:${n}`,
					field: field.id,
					node: (
						<Text>
							{n === 0 ? marker : '  '}
							{n === 0 ? label : ' '.repeat(labelWidth)}
							<Text dimColor>{'│ '}</Text>
							<TextField value={row} focus={editing} width={valueWidth} placeholder={n === 0 ? field.placeholder : undefined} onChange={text => onChange(field.id, withLine(state.values[field.id], n, text))} />
						</Text>
					),
				});
			});
		} else {
			all.push({
				key: field.id,
				field: field.id,
				node: (
					<Text>
						{marker}
						{label}
						{renderValue(field, value, focused && keyboard && !state.choosing, valueWidth, theme, text => onChange(field.id, text))}
					</Text>
				),
			});
		}
		if (focused && state.choosing && field.choices) {
			all.push({
				key: `${field.id}:choices`,
				field: field.id,
				node: <ChoiceList choices={field.choices} value={String(value)} focus={keyboard} onPick={picked => onChange(field.id, picked)} />,
			});
		}
		const error = state.errors[field.id];
		if (error) {
			// Up to two lines next to the field; the rest is cut.
			wrap(`✗ ${error}`, Math.max(10, width - labelWidth - 3))
				.slice(0, 2)
				.forEach((text, n) => all.push({key: `${field.id}:error${n}`, field: field.id, node: <Text color={theme.bad}>{fit(`${' '.repeat(labelWidth + 2)}${text}`, width - 1)}</Text>}));
		}
		for (const [n, text] of (extra?.(field) ?? []).entries()) {
			all.push({key: `${field.id}:extra${n}`, field: field.id, node: <Text color={theme.muted}>{fit(`${' '.repeat(labelWidth + 2)}${text}`, width - 1)}</Text>});
		}
	}
	const heights = all.map(line => (line.key.endsWith(':choices') ? Math.min(7, (fields.find(f => f.id === line.field)?.choices?.length ?? 0) + 1) : 1));
	const firstOfFocus = all.findIndex(line => line.field === state.focus);
	let lastOfFocus = firstOfFocus;
	while (all[lastOfFocus + 1]?.field === state.focus) lastOfFocus++;
	const start = windowStart(heights, Math.max(0, firstOfFocus), Math.max(0, lastOfFocus), height);
	const shown: Line[] = [];
	let used = 0;
	for (let n = start; n < all.length && used + heights[n]! <= height; n++) {
		shown.push(all[n]!);
		used += heights[n]!;
	}
	return (
		<Box flexDirection="column" height={height} width={width} overflow="hidden">
			{shown.map(line => (
				<Box key={line.key} flexShrink={0}>
					{line.node}
				</Box>
			))}
		</Box>
	);
}

/** The first line to show so that lines first..last fit in `height`, keeping a little context above. */
function windowStart(heights: number[], first: number, last: number, height: number): number {
	let start = first;
	let used = 0;
	for (let n = first; n <= last; n++) used += heights[n]!;
	// Show context above the focused field while there is room, up to a third of the view.
	while (start > 0 && used + heights[start - 1]! <= height && first - start < Math.floor(height / 3)) used += heights[--start]!;
	// Use remaining space below before scrolling further up.
	let below = 0;
	for (let n = last + 1; n < heights.length && used + below + heights[n]! <= height; n++) below += heights[n]!;
	while (start > 0 && used + below + heights[start - 1]! <= height) used += heights[--start]!;
	return start;
}

function renderValue(field: FormField, value: string | boolean | undefined, editing: boolean, width: number, theme: Theme, onChange: (text: string) => void): ReactNode {
	switch (field.kind) {
		case 'boolean':
			return <Text>{value ? '[x] yes' : '[ ] no'}</Text>;
		case 'select': {
			const choice = field.choices?.find(c => c.value === value);
			return (
				<Text>
					{choice?.label ?? String(value ?? '')}
					<Text color={theme.muted}>{' ▾'}</Text>
				</Text>
			);
		}
		case 'path':
			return (
				<Text>
					<TextField value={String(value ?? '')} focus={editing} width={width - 12} placeholder={field.placeholder} onChange={onChange} />
					<Text color={theme.muted}>{editing ? '  enter: browse' : ''}</Text>
				</Text>
			);
		default:
			return <TextField value={String(value ?? '')} focus={editing} secret={field.kind === 'secret'} width={width} placeholder={field.placeholder} onChange={onChange} />;
	}
}

/** `── Label ─────` across `width` columns (the label cut with … when it does not fit). */
export function sectionRule(label: string, width: number): string {
	const title = fit(`── ${label} `, Math.min(width, [...label].length + 4));
	return title + '─'.repeat(Math.max(0, width - [...title].length));
}
