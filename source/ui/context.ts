import {createContext, useContext} from 'react';
import type {ActiveRun} from '../jobs/types.js';
import type {RunRecord} from '../core/model.js';
import type {Keymap} from './keymap.js';
import type {Services} from './services.js';
import type {Theme} from './theme.js';
import type {Route} from './routes.js';

export type RunsView = {
	/** Runs in progress by task id, with their latest progress. */
	active: ReadonlyMap<number, ActiveRun>;
	/** Runs that ended while the app was open, by task id (newest). */
	ended: ReadonlyMap<number, RunRecord>;
};

/** Whether the hint bar ends with `? help` (else `f1 help`) and `q quit`: not while those keys are text. */
export type TailKeys = {quitKey?: boolean; helpKey?: boolean};

export type Ui = {
	services: Services;
	theme: Theme;
	width: number;
	/** Rows available to the screen body. */
	height: number;
	navigate(route: Route): void;
	/** The current screen's keys, for the hint bar and the help overlay. */
	setKeymap(keymap: Keymap, options?: TailKeys): void;
	/** An open dialog's keys, shown instead of the screen's until the returned function is called. */
	showDialogKeys(keymap: Keymap, tail?: TailKeys): () => void;
	/** Opens the help overlay (for layers that hold the keyboard, such as dialogs). */
	openHelp(): void;
	/** A one-line message in the status line (errors in red). */
	notify(message: string, kind?: 'info' | 'error'): void;
};

export const UiContext = createContext<Ui | undefined>(undefined);
export const RunsContext = createContext<RunsView>({active: new Map(), ended: new Map()});

export function useUi(): Ui {
	const ui = useContext(UiContext);
	if (!ui) throw new Error('useUi needs the App above it');
	return ui;
}

export function useRunsView(): RunsView {
	return useContext(RunsContext);
}
