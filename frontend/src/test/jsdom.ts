// Setup for component tests under jsdom.
import { configure } from '@testing-library/react';

// jsdom does no layout: Range has no client rects. CodeMirror measures the cursor with them, so
// give it empty ones (what an unrendered element has) instead of letting it log errors.
const zero = { x: 0, y: 0, top: 0, left: 0, right: 0, bottom: 0, width: 0, height: 0, toJSON: () => ({}) };

if (typeof Range !== 'undefined' && !Range.prototype.getClientRects) {
  Range.prototype.getClientRects = () => Object.assign([], { item: () => null }) as unknown as DOMRectList;
  Range.prototype.getBoundingClientRect = () => zero as DOMRect;
}

// Waiting for the page is bounded only to end a broken test, never to judge speed: the machines
// running these tests are shared and slow at times.
configure({ asyncUtilTimeout: 20000 });
