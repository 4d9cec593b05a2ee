import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The browser builds of Vega, Vega-Lite and vega-embed, in load order. */
export interface VegaAsset {
  name: 'vega' | 'vega-lite' | 'vega-embed';
  /** The minified UMD build: defines the global vega, vegaLite or vegaEmbed. */
  source: string;
}

const BUILDS = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

let cached: readonly VegaAsset[] | undefined;

/**
 * Reads the pinned builds from node_modules once: the report inlines them and the console
 * serves them, so neither needs the network.
 */
export function vegaAssets(): readonly VegaAsset[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  cached = BUILDS.map(([name, file]) => ({
    name,
    // A `</script` inside a build would end the inline element early.
    source: readFileSync(join(packageRoot(require.resolve(name)), file), 'utf8').replaceAll(
      '</script',
      '<\\/script',
    ),
  }));
  return cached;
}

/** The folder holding a package's package.json: the exports maps hide the builds from resolve. */
function packageRoot(entry: string): string {
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${entry}`);
    dir = parent;
  }
  return dir;
}
