import {useLayoutEffect} from 'react';
import {useUi} from '../context.js';
import {isHelpKey, type Keymap} from '../keymap.js';
import {priority, useKeyLayer} from '../router.js';

/**
 * For a dialog that holds the keyboard: while it is open, the hint bar and
 * the help overlay show its keys (`keymap`) instead of the screen's, and `?`
 * opens that help (a layer just above the dialog's takes it; every other key
 * goes on to the dialog). A dialog with text fields, where `?` is text,
 * passes `questionMark: false` and opens the help itself elsewhere, and
 * `helpKey: false` while a text field has the focus (the hint bar then offers F1).
 */
export function useDialogKeys(keymap: Keymap, options: {questionMark?: boolean; helpKey?: boolean} = {}): void {
	const {showDialogKeys, openHelp} = useUi();
	const {helpKey} = options;
	useLayoutEffect(() => showDialogKeys(keymap, {helpKey}), [showDialogKeys, keymap, helpKey]);
	useKeyLayer(
		priority.dialog + 1,
		name => {
			if (!isHelpKey(name)) return false;
			openHelp();
			return true;
		},
		{active: options.questionMark ?? true},
	);
}
