import type { CollectionManifest } from '../store/collection.js';

/** What `index` was asked to create a collection with (each only when given on the command line). */
export interface GivenCreationFlags {
  models?: readonly { name: string; weight: number }[];
  crop?: boolean;
  /** --flip / --zoom: the views they add must be among the collection's. */
  flip?: boolean;
  zoom?: boolean;
  indexSpec?: string;
}

/**
 * The creation flags an existing collection does not match. A collection's models, crop, views
 * and index are fixed when it is made, so `index` into it ignores them; the CLI says so instead
 * of indexing silently with settings the user did not ask for.
 */
export function ignoredCreationFlags(manifest: Pick<CollectionManifest, 'models' | 'crop' | 'views' | 'indexSpec'>, given: GivenCreationFlags): string[] {
  const ignored: string[] = [];
  const modelsOf = (ms: readonly { name: string; weight: number }[]) => ms.map((m) => `${m.name}:${m.weight}`).join(',');
  if (given.models && modelsOf(given.models) !== modelsOf(manifest.models)) ignored.push(`--models (it has ${modelsOf(manifest.models)})`);
  if (given.crop !== undefined && given.crop !== manifest.crop) ignored.push(`--crop (it has crop ${manifest.crop ? 'on' : 'off'})`);
  for (const view of ['flip', 'zoom'] as const) {
    if (given[view] !== undefined && given[view] !== manifest.views.includes(view)) ignored.push(`--${view} (it has views ${manifest.views.join(', ')})`);
  }
  if (given.indexSpec !== undefined && given.indexSpec !== manifest.indexSpec) ignored.push(`--index (it has ${manifest.indexSpec}; the API's rebuildIndex changes it)`);
  return ignored;
}
