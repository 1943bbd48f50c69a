import { describe, expect, it } from 'vitest';
import { popoverStyle } from './VariablePicker';

const rect = (left: number, top: number, w = 30, h = 24) =>
  ({ left, top, right: left + w, bottom: top + h, width: w, height: h, x: left, y: top, toJSON: () => ({}) }) as DOMRect;
const win = { innerWidth: 1280, innerHeight: 800 };

describe('popoverStyle', () => {
  it('opens under the button, right-aligned to it, inside the window', () => {
    expect(popoverStyle(rect(1200, 100), win)).toEqual({ position: 'fixed', left: 890, top: 126, maxHeight: 360 });
    expect(popoverStyle(rect(1250, 100), win).left).toBe(932); // not past the right edge
    expect(popoverStyle(rect(10, 100), win).left).toBe(8); // not past the left edge
  });

  it('opens above the button near the bottom of the window', () => {
    expect(popoverStyle(rect(1000, 700), win)).toEqual({ position: 'fixed', left: 690, bottom: 102, maxHeight: 360 });
    // short of room both ways: the larger side, as tall as fits
    expect(popoverStyle(rect(1000, 200), { innerWidth: 1280, innerHeight: 360 })).toEqual({ position: 'fixed', left: 690, bottom: 162, maxHeight: 190 });
  });
});
