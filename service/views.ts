import type { View } from '../store/collection.js';

/**
 * The views a new collection embeds per photo: the photo itself, its mirror image with `flip`,
 * the zoomed centre with `zoom` (and its mirror with both). Search pools them per model.
 */
export function ttaViews(opts: { flip?: boolean; zoom?: boolean }): View[] {
  const views: View[] = ['orig'];
  if (opts.flip) views.push('flip');
  if (opts.zoom) views.push('zoom');
  if (opts.flip && opts.zoom) views.push('zoom-flip');
  return views;
}
