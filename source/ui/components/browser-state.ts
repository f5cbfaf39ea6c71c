/** State of a folder browser (remote buckets/folders or local directories). Pure. */
export type BrowserState = {
	/** Where we are: for a remote with buckets, the first segment is the bucket. */
	segments: string[];
	entries: string[];
	cursor: number;
	loading: boolean;
	error?: string;
};

export type BrowserEvent =
	| {type: 'loading'; segments: string[]}
	| {type: 'loaded'; segments: string[]; entries: string[]}
	| {type: 'failed'; segments: string[]; error: string}
	| {type: 'move'; by: number};

/** Row 0 is "use this folder", row 1 ".." when not at the top, then the entries. */
export function browserRows(state: BrowserState): {label: string; kind: 'pick' | 'up' | 'entry'; name?: string}[] {
	const rows: {label: string; kind: 'pick' | 'up' | 'entry'; name?: string}[] = [{label: 'pick', kind: 'pick'}];
	if (state.segments.length > 0) rows.push({label: '..', kind: 'up'});
	for (const entry of state.entries) rows.push({label: `${entry}/`, kind: 'entry', name: entry});
	return rows;
}

export function initialBrowser(segments: string[]): BrowserState {
	return {segments, entries: [], cursor: 0, loading: true};
}

export function browserReducer(state: BrowserState, event: BrowserEvent): BrowserState {
	switch (event.type) {
		case 'loading':
			return {segments: event.segments, entries: [], cursor: 0, loading: true};
		case 'loaded':
			if (event.segments.join('/') !== state.segments.join('/')) return state;
			return {...state, entries: event.entries, loading: false, error: undefined, cursor: Math.min(state.cursor, event.entries.length + 1)};
		case 'failed':
			if (event.segments.join('/') !== state.segments.join('/')) return state;
			return {...state, loading: false, error: event.error};
		case 'move': {
			const count = browserRows(state).length;
			return {...state, cursor: Math.max(0, Math.min(count - 1, state.cursor + event.by))};
		}
	}
}
