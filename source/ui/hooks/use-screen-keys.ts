import {useLayoutEffect} from 'react';
import {useUi, type TailKeys} from '../context.js';
import type {Keymap} from '../keymap.js';

/**
 * Puts a screen's keys on the hint bar and in the help. A layout effect, so
 * the keys change in the same frame as the screen: with a passive effect the
 * first frame of a new screen showed the previous screen's keys.
 */
export function useScreenKeys(keymap: Keymap, tail: TailKeys = {}): void {
	const {setKeymap} = useUi();
	const {quitKey, helpKey} = tail;
	useLayoutEffect(() => setKeymap(keymap, {quitKey, helpKey}), [setKeymap, keymap, quitKey, helpKey]);
}
