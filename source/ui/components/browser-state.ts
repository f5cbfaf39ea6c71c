/** State of a folder browser (remote buckets/folders or local directories). Pure. */
export type BrowserState = {
	/** Where we are: for a remote with buckets, the first segment is the bucket. */
	segments: string[];
	entries: string[];
	cursor: number;
	loading: boolean;
	error?: string;
	/** The top level lists buckets: there is nothing to use until one is opened. */
	buckets: boolean;
};

export type BrowserEvent =
	| {type: 'loading'; segments: string[]}
	| {type: 'loaded'; segments: string[]; entries: string[]}
	| {type: 'failed'; segments: string[]; error: string}
	| {type: 'move'; by: number};

/** Whether the current place can be chosen (not the list of buckets). */
export function canPick(state: Pick<BrowserState, 'segments' | 'buckets'>): boolean {
	return !state.buckets || state.segments.length > 0;
}

/** Row 0 is "use this folder" (none in the list of buckets), then ".." when not at the top, then the entries. */
export function browserRows(state: BrowserState): {label: string; kind: 'pick' | 'up' | 'entry'; name?: string}[] {
	const rows: {label: string; kind: 'pick' | 'up' | 'entry'; name?: string}[] = canPick(state) ? [{label: 'pick', kind: 'pick'}] : [];
	if (state.segments.length > 0) rows.push({label: '..', kind: 'up'});
	for (const entry of state.entries) rows.push({label: `${entry}/`, kind: 'entry', name: entry});
	return rows;
}

export function initialBrowser(start: {segments: string[]; buckets?: boolean}): BrowserState {
	return {segments: start.segments, entries: [], cursor: 0, loading: true, buckets: start.buckets ?? false};
}

export function browserReducer(state: BrowserState, event: BrowserEvent): BrowserState {
	switch (event.type) {
		case 'loading':
			return {...state, segments: event.segments, entries: [], cursor: 0, loading: true, error: undefined};
		case 'loaded': {
			if (event.segments.join('/') !== state.segments.join('/')) return state;
			const loaded = {...state, entries: event.entries, loading: false, error: undefined};
			return {...loaded, cursor: Math.max(0, Math.min(state.cursor, browserRows(loaded).length - 1))};
		}
		case 'failed':
			if (event.segments.join('/') !== state.segments.join('/')) return state;
			return {...state, loading: false, error: event.error};
		case 'move': {
			const count = browserRows(state).length;
			return {...state, cursor: Math.max(0, Math.min(count - 1, state.cursor + event.by))};
		}
	}
}
