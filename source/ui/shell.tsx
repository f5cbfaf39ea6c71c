import {Box, useApp, useStdout} from 'ink';
import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import {Dialog} from './components/dialog.js';
import {Header} from './components/header.js';
import {HelpOverlay} from './components/help-overlay.js';
import {HintBar, messageLines} from './components/hint-bar.js';
import {RunsContext, UiContext, type TailKeys, type Ui} from './context.js';
import {useRuns} from './hooks/use-runs.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {commandFor, globalKeymap, type Keymap} from './keymap.js';
import {priority, useKeyLayer} from './router.js';
import type {Route} from './routes.js';
import {Screen, screenTitle} from './screens/screen.js';
import type {SchedulerStatus, Services} from './services.js';
import {themeFor} from './theme.js';

/** Ctrl+C twice within this time quits while runs are in progress. */
const interruptWindowMs = 2000;

/** The frame every screen lives in: header, body, hint bar, help, quit question. */
export function Shell({services, onQuit}: {services: Services; onQuit: (code: number) => void}) {
	const {columns, rows} = useTerminalSize();
	const {stdout} = useStdout();
	const theme = useMemo(() => themeFor(), []);
	const runs = useRuns(services.runner);
	const [route, setRoute] = useState<Route>({name: 'tasks'});
	const [keymap, setKeymapState] = useState<Keymap>([]);
	const [tailKeys, setTailKeys] = useState<TailKeys>({});
	const setKeymap = useCallback((next: Keymap, options: TailKeys = {}) => {
		setKeymapState(next);
		setTailKeys(options);
	}, []);
	// Open dialogs' keys, newest last: the hint bar and the help show the newest.
	const [dialogKeys, setDialogKeys] = useState<readonly {keys: Keymap; tail: TailKeys}[]>([]);
	const showDialogKeys = useCallback((keys: Keymap, tail: TailKeys = {}) => {
		const entry = {keys, tail};
		setDialogKeys(open => [...open, entry]);
		return () => setDialogKeys(open => open.filter(e => e !== entry));
	}, []);
	const topDialog = dialogKeys.at(-1);
	const shownKeymap = topDialog?.keys ?? keymap;
	const [help, setHelp] = useState(false);
	const openHelp = useCallback(() => setHelp(true), []);
	const [quitQuestion, setQuitQuestion] = useState(false);
	const [message, setMessage] = useState<{text: string; kind: 'info' | 'error'}>();
	const [scheduler, setScheduler] = useState<SchedulerStatus>(() => services.schedulerStatus());
	const [, setRedraws] = useState(0);
	const interruptedAt = useRef(0);
	const messageTimer = useRef<NodeJS.Timeout>(undefined);

	const starting = scheduler.mode === 'starting';
	useEffect(() => {
		// The lock can change hands (a daemon starts or stops); a slow poll is enough, once this window's own start is seen.
		const timer = setInterval(() => setScheduler(previous => {
			const next = services.schedulerStatus();
			return JSON.stringify(next) === JSON.stringify(previous) ? previous : next;
		}), starting ? 200 : 5000);
		return () => clearInterval(timer);
	}, [services, starting]);
	useEffect(() => () => clearTimeout(messageTimer.current), []);

	// After a resize settles, paint the whole screen again: the terminal's reflow
	// of the old frame can leave stray lines that a diff would not touch.
	const firstSize = useRef(true);
	useEffect(() => {
		if (firstSize.current) {
			firstSize.current = false;
			return;
		}
		const timer = setTimeout(() => {
			stdout.write('\u001B[2J\u001B[H');
			setRedraws(n => n + 1);
		}, 60);
		return () => clearTimeout(timer);
	}, [columns, rows]);

	const notify = useCallback((text: string, kind: 'info' | 'error' = 'info') => {
		setMessage({text, kind});
		clearTimeout(messageTimer.current);
		messageTimer.current = setTimeout(() => setMessage(undefined), kind === 'error' ? 8000 : 4000);
	}, []);

	const quit = useCallback(async () => {
		await Promise.all(services.runner.active().map(run => services.runner.cancel(run.taskId).catch(() => undefined)));
		onQuit(0);
	}, [services, onQuit]);

	useKeyLayer(priority.global, name => {
		const command = commandFor(globalKeymap, name);
		switch (command) {
			case 'help':
				setHelp(true);
				return true;
			case 'go-tasks':
				setRoute({name: 'tasks'});
				return true;
			case 'go-credentials':
				setRoute({name: 'credentials'});
				return true;
			case 'go-logs':
				setRoute({name: 'logs'});
				return true;
			case 'redraw':
				stdout.write('\u001B[2J\u001B[H');
				setRedraws(n => n + 1);
				return true;
			case 'quit':
				if (services.runner.active().length > 0) setQuitQuestion(true);
				else void quit();
				return true;
			case 'interrupt': {
				const now = Date.now();
				if (services.runner.active().length === 0 || now - interruptedAt.current < interruptWindowMs) void quit();
				else {
					interruptedAt.current = now;
					notify('A run is in progress: press Ctrl+C again to stop it and quit.', 'error');
				}
				return true;
			}
			default:
				// Reaches here only when no screen, field or dialog took the key.
				if ([...name].length === 1) {
					notify(`"${name}" does nothing here: press ? to see this screen's keys.`);
					return true;
				}
				return false;
		}
	});

	// A long message takes more than the hint bar's one line; the body gives those rows up while it shows.
	const shownMessage = useMemo(() => message && {kind: message.kind, lines: messageLines(message.text, columns)}, [message, columns]);
	const bodyHeight = Math.max(1, rows - 1 - (shownMessage?.lines.length ?? 1));
	const ui = useMemo<Ui>(
		() => ({services, theme, width: columns, height: bodyHeight, navigate: setRoute, setKeymap, showDialogKeys, openHelp, notify}),
		[services, theme, columns, bodyHeight, notify, setKeymap, showDialogKeys, openHelp],
	);
	const area = {width: columns, height: bodyHeight, top: 1};
	const running = runs.active.size;
	return (
		<UiContext.Provider value={ui}>
			<RunsContext.Provider value={runs}>
				{/* Clipped top and bottom only: every line is cut to the width where it is made, and
				    clipping sideways costs Ink a slice of every line of every frame (about a third of a frame). */}
				<Box flexDirection="column" width={columns} height={rows} overflowY="hidden">
					<Header width={columns} title={screenTitle(route)} scheduler={scheduler} running={running} theme={theme} />
					<Box height={bodyHeight} width={columns} flexDirection="column" overflowY="hidden">
						<Screen route={route} />
					</Box>
					<HintBar width={columns} keymap={shownKeymap} message={shownMessage} theme={theme} quitKey={!topDialog && (tailKeys.quitKey ?? true)} helpKey={(topDialog ? topDialog.tail : tailKeys).helpKey ?? true} />
					{help ? <HelpOverlay keymap={shownKeymap} area={area} theme={theme} onClose={() => setHelp(false)} dialog={dialogKeys.length > 0} lettersAreText={!(tailKeys.quitKey ?? true)} /> : null}
					{quitQuestion ? (
						<Dialog
							title="Quit cloudsync?"
							lines={[`${running} run${running === 1 ? ' is' : 's are'} in progress. Quitting stops ${running === 1 ? 'it' : 'them'}; ${running === 1 ? 'it ends' : 'they end'} ABORTED.`]}
							buttons={[
								{label: 'Cancel', value: 'cancel'},
								{label: 'Stop runs and quit', value: 'quit'},
							]}
							area={area}
							theme={theme}
							onAnswer={answer => {
								setQuitQuestion(false);
								if (answer === 'quit') void quit();
							}}
						/>
					) : null}
				</Box>
			</RunsContext.Provider>
		</UiContext.Provider>
	);
}
