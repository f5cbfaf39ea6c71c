import {useLayoutEffect} from 'react';
import {useUi} from '../context.js';
import type {Keymap} from '../keymap.js';

/**
 * Puts a screen's keys on the hint bar and in the help. A layout effect, so
 * the keys change in the same frame as the screen: with a passive effect the
 * first frame of a new screen showed the previous screen's keys.
 */
export function useScreenKeys(keymap: Keymap, options?: {quitKey?: boolean}): void {
	const {setKeymap} = useUi();
	const quitKey = options?.quitKey;
	useLayoutEffect(() => setKeymap(keymap, {quitKey}), [setKeymap, keymap, quitKey]);
}
