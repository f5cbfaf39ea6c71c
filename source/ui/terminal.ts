/** Entering and leaving the full-screen mode, and putting the terminal back however we leave. */
export const enterFullScreen = '\u001B[?1049h\u001B[?25l\u001B[2J\u001B[H';
export const leaveFullScreen = '\u001B[?1049l\u001B[?25h';

export type TerminalGuard = {
	restore(): void;
	dispose(): void;
	/** Runs first when a signal or a crash ends the app (unmounting Ink, so its last frame lands on the alternate screen). */
	onAbort(cleanup: () => void): void;
};

/**
 * Restores the terminal (main screen, cursor, cooked mode) on exit, on
 * SIGTERM/SIGHUP/SIGINT and on an uncaught error, whichever comes first.
 */
export function guardTerminal(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream, onFatal: (message: string) => void): TerminalGuard {
	let restored = false;
	let cleanup: (() => void) | undefined;
	const abort = () => {
		try {
			cleanup?.();
		} catch {
			// Restoring the terminal matters more than a clean unmount.
		}
	};
	const restore = () => {
		if (restored) return;
		restored = true;
		try {
			if (stdin.isTTY) stdin.setRawMode(false);
		} catch {
			// stdin may already be closed; nothing left to restore there.
		}
		stdout.write(leaveFullScreen);
	};
	const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
	const codes: Record<string, number> = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143};
	const onSignal = (signal: NodeJS.Signals) => {
		if (signal === 'SIGHUP') {
			// The terminal is gone (a dropped SSH session): nothing to restore, and
			// resetting a dead tty on exit trips an assertion in Node. Die of the signal.
			restored = true;
			dispose();
			process.kill(process.pid, signal);
			return;
		}
		abort();
		restore();
		process.exit(codes[signal] ?? 1);
	};
	const onCrash = (error: unknown) => {
		abort();
		restore();
		onFatal(error instanceof Error ? error.message.split('\n')[0]! : String(error));
		process.exit(1);
	};
	for (const signal of signals) process.on(signal, onSignal);
	process.on('uncaughtException', onCrash);
	process.on('unhandledRejection', onCrash);
	process.on('exit', restore);
	function dispose() {
		for (const signal of signals) process.off(signal, onSignal);
		process.off('uncaughtException', onCrash);
		process.off('unhandledRejection', onCrash);
		process.off('exit', restore);
	}
	stdout.write(enterFullScreen);
	return {
		restore,
		dispose,
		onAbort(next) {
			cleanup = next;
		},
	};
}
